"""The live lab's routes: PGD against the shipped models on a test image or the reader's own upload,
and the inspect mode (each model's input gradients and the loss landscape around the image).

Every request passes, in order: the cross-site check (403, server.crosssite), the per-client rate
limit (429), the media type (415), the body size limit, enforced while the body streams in (413),
strict validation (422), the lab's availability (503 when the bundle ships no weights) and the
bounded attack queue (503 + Retry-After); `server.lab.transport` and `server.lab.queueing` hold the
steps, `server.lab.openapi` what the API document says of them. The app is assembled in
`server.main`.
"""

from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from server.crosssite import refuse_cross_site
from server.deps import GateDep, LabDep, LimiterDep
from server.lab.engine import Lab
from server.lab.gate import AttackGate, RateLimiter
from server.lab.limits import LIMITS
from server.lab.openapi import LAB_ERRORS, json_body, upload_body
from server.lab.params import (
    N_TEST,
    AttackParams,
    AttackRequest,
    AttackResponse,
    InspectParams,
    InspectRequest,
    InspectResponse,
    LabStatus,
    SourceInfo,
)
from server.lab.queueing import run_job
from server.lab.transport import PARAMS, admit, parse, read_json, read_upload
from server.lab.upload import decode_upload
from tour import schema

router = APIRouter(prefix="/api/lab", tags=["lab"])
# On every POST: the cross-site check runs before the rate limit, so another site cannot spend a
# reader's lab budget.
SAME_ORIGIN_ONLY = [Depends(refuse_cross_site)]
Job = Literal["attack", "inspection"]


@router.get("", summary="Whether the lab can run, its models and its limits.", response_model=LabStatus)
def status(lab: LabDep) -> LabStatus:
    return LabStatus(
        available=lab.available,
        reason=lab.reason,
        models=[m.info for m in lab.models],
        default_models=lab.default_models,
        classes=list(schema.CLASSES),
        limits=LIMITS,
        test_images=len(lab.images),
        run_seed=lab.run_seed,
        push=lab.push,
        attack=lab.figures.attack if lab.figures else None,
    )


@router.post(
    "/attack",
    summary="PGD on a CIFAR-10 test image against both models, every step recorded.",
    response_model=AttackResponse,
    openapi_extra=json_body(AttackRequest),
    dependencies=SAME_ORIGIN_ONLY,
    responses=LAB_ERRORS,
)
async def attack(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    return await _serve(request, lab, gate, limiter, "attack", upload=False)


@router.post(
    "/attack/upload",
    summary=f"PGD on an uploaded PNG/JPEG (<= {LIMITS.upload_bytes_max // 1024} KB; centre-cropped to "
    "32x32, never stored).",
    response_model=AttackResponse,
    openapi_extra=upload_body(AttackParams, params_required=True),
    dependencies=SAME_ORIGIN_ONLY,
    responses=LAB_ERRORS,
)
async def attack_upload(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    return await _serve(request, lab, gate, limiter, "attack", upload=True)


@router.post(
    "/inspect",
    summary="A CIFAR-10 test image's input gradients (plain and SmoothGrad) and loss landscape, per model.",
    response_model=InspectResponse,
    openapi_extra=json_body(InspectRequest),
    dependencies=SAME_ORIGIN_ONLY,
    responses=LAB_ERRORS,
)
async def inspect(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    return await _serve(request, lab, gate, limiter, "inspection", upload=False)


@router.post(
    "/inspect/upload",
    summary="The same for an uploaded PNG/JPEG, the label being each model's own clean prediction.",
    response_model=InspectResponse,
    openapi_extra=upload_body(InspectParams, params_required=False),
    dependencies=SAME_ORIGIN_ONLY,
    responses=LAB_ERRORS,
)
async def inspect_upload(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    return await _serve(request, lab, gate, limiter, "inspection", upload=True)


# What each route reads: a test image's request names it; an upload's params come beside the file.
REQUESTS: dict[tuple[Job, bool], type[AttackParams | InspectParams]] = {
    ("attack", False): AttackRequest,
    ("attack", True): AttackParams,
    ("inspection", False): InspectRequest,
    ("inspection", True): InspectParams,
}


async def _serve(
    request: Request, lab: Lab, gate: AttackGate, limiter: RateLimiter, what: Job, upload: bool
) -> Response:
    """Admit, read and check the request, then run the attack or inspection in the lab's queue, where
    the image is decoded too. An upload's attack needs its params; an inspection has none to give."""
    model = REQUESTS[what, upload]
    if upload:
        admit(request, limiter, "multipart/form-data")
        data, raw = await read_upload(request)
        if raw is None and what == "attack":
            raise HTTPException(422, f"{PARAMS}: a text field named '{PARAMS}' holding JSON is required")
        params = parse(model, "{}" if raw is None else raw)
        _check_models(_available(lab), params.models)
        source = SourceInfo(kind="upload", label=None)
    else:
        admit(request, limiter, "application/json")
        params = await read_json(request, model)
        index = params.source.test_index  # type: ignore[union-attr]  # every test-image request has one
        source = _test_source(_available(lab), index)
        _check_models(lab, params.models)
    run = lab.attack if what == "attack" else lab.inspect

    def job(cancel: threading.Event) -> BaseModel:
        pixels = decode_upload(data) if upload else lab.images.pixels(index)
        return run(pixels, params, source, cancel)  # type: ignore[arg-type]  # REQUESTS pairs them

    return await run_job(request, gate, what, job)


def _available(lab: Lab) -> Lab:
    """503 when the bundle ships no models (checked first: nothing else can be answered then)."""
    if not lab.available:
        raise HTTPException(503, f"the live lab is off: {lab.reason}")
    return lab


def _check_models(lab: Lab, models: list[str] | None) -> None:
    """422 for a model the bundle does not ship (after a test image's 404)."""
    try:
        lab.chosen(models)
    except KeyError as e:
        shipped = ", ".join(m.info.id for m in lab.models)
        raise HTTPException(422, f"models: {e.args[0]!r} is not a shipped model ({shipped})") from None


def _test_source(lab: Lab, index: int) -> SourceInfo:
    label = lab.images.label(index)
    if label is None:
        raise HTTPException(
            404, f"test image {index} is not in this bundle, which holds 0..{len(lab.images) - 1} of {N_TEST}"
        )
    return SourceInfo(kind="test", test_index=index, label=label)
