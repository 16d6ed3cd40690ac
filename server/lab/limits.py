"""The lab's request limits: part of its API contract, declared once with their reasons.

Request validation (`params`, and so the OpenAPI document's bounds), the upload decoder (`upload`),
the body readers (`transport`), the route summaries and the nginx template read `LIMITS`, and GET
/api/lab serves it, so the page's sliders and its upload
hint come from here too. Operator knobs (queue, rate, deadline) are `server.config.Settings`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LabLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    linf_eps_max: float = Field(
        default=16 / 255, description="the sweep's largest budget, twice the article's"
    )
    l2_eps_max: float = Field(
        default=2.0, description="holds the L-inf ball at 8/255, whose corners lie 1.74 away"
    )
    push_eps_max: float = Field(default=8.0, description="'push toward a class' is a large-budget L2 attack")
    steps_max: int = Field(default=50, description="bounds one request's work well inside the lab's deadline")
    push_steps_max: int = Field(
        default=60, description="the paint figure's push (paint.json), so the lab can repaint it"
    )
    seed_max: int = Field(default=2**31 - 1, description="what every language's 32-bit signed integer holds")
    models_max: int = Field(
        default=2, description="each model runs on its own core: two keep the latency of one"
    )
    upload_bytes_max: int = Field(
        default=256 * 1024, description="a phone photo saved small; the lab needs 32x32"
    )
    multipart_bytes_max: int = Field(
        default=264 * 1024, description="a whole upload request: the image, its params and the boundaries"
    )
    json_bytes_max: int = Field(default=4 * 1024, description="a JSON request is a few hundred bytes")
    pixels_max: int = Field(default=4096 * 4096, description="a 256 KB PNG of one flat colour can claim more")
    jpeg_scans_max: int = Field(
        default=64, description="a progressive JPEG has about 10; thousands take minutes"
    )


LIMITS = LabLimits()
