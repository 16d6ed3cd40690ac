"""The bundle as the server holds it: verified once at start-up, every response body pre-serialized.

Handlers only look payloads up here, so serving a figure's data costs a dict lookup; nothing is
parsed, serialized or compressed per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.caching import Payload
from tour import schema
from tour.bundle import Bundle, dump_json

JSON = "application/json"
MEDIA_TYPES = {
    ".png": "image/png",
    ".webp": "image/webp",
    ".json": JSON,
    ".safetensors": "application/octet-stream",
}


class TrajectoryResponse(schema.Strict):
    """One gallery image's PGD trajectories against every model, with how they were made."""

    attack: schema.AttackSpec
    model_ids: list[str]
    columns: int
    image: schema.ImageTrajectories


@dataclass(frozen=True)
class Store:
    bundle: Bundle
    documents: dict[str, Payload]  # API name -> JSON body
    trajectories: tuple[Payload, ...]  # gallery position -> JSON body
    files: dict[str, Payload]  # manifest path -> file, for /bundle/
    figures: dict[str, Payload]  # chart name -> its Plotly figure as JSON

    @property
    def run(self) -> schema.RunFile:
        return self.bundle.doc("run.json", schema.RunFile)

    @property
    def gallery(self) -> schema.GalleryFile:
        return self.bundle.doc("gallery.json", schema.GalleryFile)


def open_store(bundle: Bundle, figures: dict[str, Any]) -> Store:
    """The verified bundle's bytes and `figures` (chart name -> Plotly figure), serialized once."""
    documents = {schema.api_name(name): Payload.of(bundle.files[name], JSON) for name in schema.JSON_FILES}
    traj = bundle.doc("trajectories.json", schema.TrajectoriesFile)
    by_position = sorted(traj.images, key=lambda im: im.position)
    bodies = tuple(
        Payload.of(
            dump_json(
                TrajectoryResponse(
                    attack=traj.attack,
                    model_ids=traj.model_ids,
                    columns=traj.attack.steps + 1,
                    image=image,
                )
            ),
            JSON,
        )
        for image in by_position
    )
    files = {
        path: Payload.of(data, MEDIA_TYPES[path[path.rfind(".") :]])
        for path, data in bundle.files.items()
        if path[path.rfind(".") :] in MEDIA_TYPES
    }
    figures = {
        name: Payload.of(json.dumps(fig, separators=(",", ":"), allow_nan=False).encode(), JSON)
        for name, fig in figures.items()
    }
    return Store(bundle=bundle, documents=documents, trajectories=bodies, files=files, figures=figures)
