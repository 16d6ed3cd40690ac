"""The live lab's API: PGD against both shipped models, on a test image or the reader's own upload,
and the inspect mode (each model's input gradients and the loss landscape around the image).

Every request passes, in order: the cross-site check (403, server.crosssite), the per-client rate
limit (429), the media type (415), the body size limit, enforced while the body streams in (413),
strict validation (422), the lab's availability (503 when the bundle ships no weights) and the
bounded attack queue (503 + Retry-After).
Everything CPU-bound runs inside the queue, never on the event loop: decoding an upload, the attack,
and serializing (and gzipping) its large JSON. An attack whose client leaves (or whose front gives up
on it) is stopped at its next step, or before it starts if it is still queued; one that outlives the
lab's deadline (TOUR_LAB_TIMEOUT, counted from admission) is stopped the same way and answered 503.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from server.config import Settings
from server.crosssite import refuse_cross_site
from server.deps import GateDep, LabDep, LimiterDep
from server.errors import ErrorBody
from server.lab.engine import Cancelled, Lab
from server.lab.gate import AttackGate, Busy, RateLimiter
from server.lab.params import (
    L2_EPS_MAX,
    LINF_EPS_MAX,
    N_TEST,
    PUSH_EPS_MAX,
    PUSH_STEPS_MAX,
    STEPS_MAX,
    AttackParams,
    AttackRequest,
    AttackResponse,
    InspectParams,
    InspectRequest,
    InspectResponse,
    LabStatus,
    SourceInfo,
)
from server.lab.upload import MAX_MULTIPART_BYTES, MAX_UPLOAD_BYTES, UploadError, decode_upload
from server.protocol import accepts_gzip
from server.store import Store
from tour import schema

router = APIRouter(prefix="/api/lab", tags=["lab"])
log = logging.getLogger("server")
M = TypeVar("M", bound=BaseModel)
# Every operation that runs models, and so names them in its body (see _declare_models).
RUNS_MODELS = ("/api/lab/attack", "/api/lab/attack/upload", "/api/lab/inspect", "/api/lab/inspect/upload")


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with every $ref replaced by its definition, so the request body
    schema stands on its own inside the OpenAPI document (fuzzers and clients resolve nothing)."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(raw)


# The fields of an upload, each at most once; any other field is refused with 422 (_read_upload),
# as the upload's OpenAPI schema states (additionalProperties false).
IMAGE, PARAMS = "image", "params"
UPLOAD_FIELDS = (IMAGE, PARAMS)


def _upload_body(params: type[BaseModel], params_required: bool) -> dict[str, Any]:
    """The OpenAPI request body of an upload: the image file and the request's JSON as `params`,
    nothing else, so a client (or fuzzer) reading it sends only what the server accepts."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [IMAGE, PARAMS] if params_required else [IMAGE],
                        "properties": {
                            IMAGE: {"type": "string", "format": "binary", "description": "PNG or JPEG"},
                            PARAMS: _inline_schema(params),
                        },
                        "additionalProperties": False,
                    },
                    "encoding": {PARAMS: {"contentType": "application/json"}},
                }
            },
        }
    }


MAX_JSON_BYTES = 4 * 1024


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


LAB_ERRORS: dict[int | str, dict] = {
    400: _error("Content-Length is not a number."),
    404: _error("The test image is not in this bundle."),
    413: _error("The body, the image file or the image's pixel count is over its limit."),
    403: _error("Sent by another site's page (Sec-Fetch-Site, or Origin, names another origin)."),
    415: _error("Wrong Content-Type, or an upload that is not a PNG or JPEG."),
    422: _error(
        "A parameter or form field is missing, unknown, repeated, of the wrong type or out of range, "
        "or the image is corrupt."
    ),
    429: _error("Too many lab requests from this client; see Retry-After."),
    503: _error(
        "The lab's queue is full (see Retry-After), the request outlived the lab's deadline, "
        "or this bundle ships no models."
    ),
}


# On every POST: refused before the rate limit, so another site cannot spend a reader's lab budget.
SAME_ORIGIN_ONLY = [Depends(refuse_cross_site)]


def setup(app: FastAPI, store: Store, settings: Settings) -> None:
    """Load the models once and build the lab's queue and rate limit (Settings' lab_* fields)."""
    gate = AttackGate(workers=settings.lab_workers, queue=settings.lab_queue, deadline=settings.lab_timeout)
    limiter = RateLimiter(per_minute=settings.lab_per_minute, burst=settings.lab_burst)
    app.state.lab = Lab.from_store(store)
    app.state.lab_gate, app.state.lab_limiter = gate, limiter
    app.include_router(router)
    _declare_models(app, [m.info.id for m in app.state.lab.models])


def _declare_models(app: FastAPI, ids: list[str]) -> None:
    """Say in the OpenAPI document which model ids this bundle accepts, each at most once: the request
    models cannot know the bundle, and a fuzzer (or client) reading only the pattern sends ids the
    lab then refuses with 422."""
    build = app.openapi

    def models_arrays(node: Any):
        if isinstance(node, dict):
            models = node.get("properties", {}).get("models")
            if isinstance(models, dict):
                yield from (v for v in models.get("anyOf", [models]) if v.get("type") == "array")
            for value in node.values():
                yield from models_arrays(value)
        elif isinstance(node, list):
            for value in node:
                yield from models_arrays(value)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            for path in RUNS_MODELS:
                for array in models_arrays(doc["paths"][path]["post"]["requestBody"]):
                    array["uniqueItems"] = True
                    if ids:
                        array["items"] = {**array["items"], "enum": ids}
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def teardown(app: FastAPI) -> None:
    """Stop the lab's worker threads (at server shutdown)."""
    app.state.lab_gate.shutdown()
    app.state.lab.close()


def _admit(request: Request, limiter: RateLimiter, media_type: str) -> None:
    """Rate limit, then media type; both before a byte of the body is read."""
    wait = limiter.take(request.client.host if request.client else "?")
    if wait > 0:
        retry = math.ceil(wait)
        raise HTTPException(
            429, f"too many lab requests; try again in {retry} s", {"Retry-After": str(retry)}
        )
    got = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if got != media_type:
        raise HTTPException(415, f"send the request as {media_type}, not {got or 'no Content-Type'}")


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit` (header or stream)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise HTTPException(413, f"the request body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _validation_error(e: ValidationError) -> HTTPException:
    parts = []
    for err in e.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid').removeprefix('Value error, ')}")
    return HTTPException(422, "; ".join(parts))


def _parse(model: type[M], raw: bytes | str) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as e:
        raise _validation_error(e) from None


async def _until_abandoned(request: Request, cancel: threading.Event, deadline: float) -> str:
    """Wait for the client to leave or the deadline to pass, then set `cancel`; says which.

    The body has been read in full by now, so the next ASGI message is the disconnect."""
    try:
        async with asyncio.timeout(deadline):
            while (await request.receive())["type"] != "http.disconnect":
                pass
        why = "its client left"
    except TimeoutError:
        why = "it outlived the deadline"
    cancel.set()
    return why


async def _run(
    request: Request, gate: AttackGate, what: str, job: Callable[[threading.Event], BaseModel]
) -> Response:
    """Run `job` (an attack or an inspection, says `what`) in the lab's queue and send its result,
    encoded in the worker (a class push is about 0.6 MB of JSON: tens of milliseconds the event loop
    would otherwise spend)."""
    packed = accepts_gzip(request.headers.get("accept-encoding", ""))
    cancel = threading.Event()

    def work() -> bytes:
        if cancel.is_set():
            raise Cancelled  # abandoned while it waited in the queue: never started
        body = job(cancel).model_dump_json().encode()
        return gzip.compress(body, compresslevel=6) if packed else body

    start = time.monotonic()
    watcher = asyncio.create_task(_until_abandoned(request, cancel, gate.deadline))
    try:
        body = await gate.run(work)
    except Busy as e:
        raise HTTPException(
            503, f"the lab is busy; try again in {e.retry_after} s", {"Retry-After": str(e.retry_after)}
        ) from None
    except UploadError as e:
        raise HTTPException(e.status, e.message) from None
    except Cancelled:
        why = await watcher
        log.info("lab %s stopped after %.1f s: %s", what, time.monotonic() - start, why)
        if why == "its client left":
            return Response(status_code=499)  # nobody reads it; the access log shows nginx's code
        raise HTTPException(
            503, f"the {what} took longer than the lab's limit of {gate.deadline:g} s and was stopped"
        ) from None
    finally:
        watcher.cancel()
    headers = {"Vary": "Accept-Encoding", **({"Content-Encoding": "gzip"} if packed else {})}
    return Response(body, media_type="application/json", headers=headers)


def _require_lab(lab: Lab) -> Lab:
    if not lab.available:
        raise HTTPException(503, f"the live lab is off: {lab.reason}")
    return lab


@router.get("", summary="Whether the lab can run, its models and its limits.", response_model=LabStatus)
def status(lab: LabDep) -> LabStatus:
    return LabStatus(
        available=lab.available,
        reason=lab.reason,
        models=[m.info for m in lab.models],
        default_models=lab.default_models,
        classes=list(schema.CLASSES),
        limits={
            "linf_eps_max": LINF_EPS_MAX,
            "l2_eps_max": L2_EPS_MAX,
            "push_eps_max": PUSH_EPS_MAX,
            "steps_max": STEPS_MAX,
            "push_steps_max": PUSH_STEPS_MAX,
            "upload_bytes_max": MAX_UPLOAD_BYTES,
        },
        test_images=len(lab.images),
        run_seed=lab.run_seed,
        push=lab.push,
        attack=lab.figures.attack if lab.figures else None,
    )


@router.post(
    "/attack",
    summary="PGD on a CIFAR-10 test image against both models, every step recorded.",
    response_model=AttackResponse,
    responses=LAB_ERRORS,
    dependencies=SAME_ORIGIN_ONLY,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(AttackRequest)}},
        }
    },
)
async def attack(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    _admit(request, limiter, "application/json")
    params = _parse(AttackRequest, await _read_body(request, MAX_JSON_BYTES))
    source = _test_source(_require_lab(lab), params.source.test_index)
    _check_models(lab, params.models)
    index = params.source.test_index
    return await _run(
        request, gate, "attack", lambda cancel: lab.attack(lab.images.pixels(index), params, source, cancel)
    )


@router.post(
    "/attack/upload",
    summary="PGD on an uploaded PNG/JPEG (<= 256 KB; centre-cropped to 32x32, never stored).",
    response_model=AttackResponse,
    responses=LAB_ERRORS,
    dependencies=SAME_ORIGIN_ONLY,
    openapi_extra=_upload_body(AttackParams, params_required=True),
)
async def attack_upload(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    _admit(request, limiter, "multipart/form-data")
    data, raw = await _read_upload(request)
    if raw is None:
        raise HTTPException(422, "params: a text field named 'params' holding JSON is required")
    params = _parse(AttackParams, raw)
    _require_lab(lab)
    _check_models(lab, params.models)
    source = SourceInfo(kind="upload", label=None)
    return await _run(
        request, gate, "attack", lambda cancel: lab.attack(decode_upload(data), params, source, cancel)
    )


@router.post(
    "/inspect",
    summary="A CIFAR-10 test image's input gradients (plain and SmoothGrad) and loss landscape, per model.",
    response_model=InspectResponse,
    responses=LAB_ERRORS,
    dependencies=SAME_ORIGIN_ONLY,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(InspectRequest)}},
        }
    },
)
async def inspect(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    _admit(request, limiter, "application/json")
    params = _parse(InspectRequest, await _read_body(request, MAX_JSON_BYTES))
    source = _test_source(_require_lab(lab), params.source.test_index)
    _check_models(lab, params.models)
    index = params.source.test_index
    return await _run(
        request,
        gate,
        "inspection",
        lambda cancel: lab.inspect(lab.images.pixels(index), params, source, cancel),
    )


@router.post(
    "/inspect/upload",
    summary="The same for an uploaded PNG/JPEG, the label being each model's own clean prediction.",
    response_model=InspectResponse,
    responses=LAB_ERRORS,
    dependencies=SAME_ORIGIN_ONLY,
    openapi_extra=_upload_body(InspectParams, params_required=False),
)
async def inspect_upload(request: Request, lab: LabDep, gate: GateDep, limiter: LimiterDep) -> Response:
    _admit(request, limiter, "multipart/form-data")
    data, raw = await _read_upload(request)
    params = _parse(InspectParams, "{}" if raw is None else raw)
    _require_lab(lab)
    _check_models(lab, params.models)
    source = SourceInfo(kind="upload", label=None)
    return await _run(
        request, gate, "inspection", lambda cancel: lab.inspect(decode_upload(data), params, source, cancel)
    )


def _test_source(lab: Lab, index: int) -> SourceInfo:
    label = lab.images.label(index)
    if label is None:
        raise HTTPException(
            404, f"test image {index} is not in this bundle, which holds 0..{len(lab.images) - 1} of {N_TEST}"
        )
    return SourceInfo(kind="test", test_index=index, label=label)


async def _read_upload(request: Request) -> tuple[bytes, str | None]:
    """The multipart body's image bytes (read up to one past the limit) and its `params` text, if any."""
    body = await _read_body(request, MAX_MULTIPART_BYTES)
    form = await _form(request, body)
    try:
        _check_fields([name for name, _ in form.multi_items()])
        file, raw = form.get(IMAGE), form.get(PARAMS)
        if not isinstance(file, UploadFile):
            raise HTTPException(422, "image: a file field named 'image' is required")
        if raw is not None and not isinstance(raw, str):
            raise HTTPException(422, "params: a text field holding JSON, not a file")
        return await file.read(MAX_UPLOAD_BYTES + 1), raw
    finally:
        await form.close()


def _check_fields(names: list[str]) -> None:
    """422 for a field the upload does not take, or one sent twice: which of two would count is a
    guess, and the OpenAPI document promises exactly UPLOAD_FIELDS."""
    for name in names:
        if name not in UPLOAD_FIELDS:
            raise HTTPException(422, f"{name}: an upload takes only the fields {' and '.join(UPLOAD_FIELDS)}")
        if names.count(name) > 1:
            raise HTTPException(422, f"{name}: sent {names.count(name)} times; send it once")


def _check_models(lab: Lab, models: list[str] | None) -> None:
    try:
        lab.chosen(models)
    except KeyError as e:
        shipped = ", ".join(m.info.id for m in lab.models)
        raise HTTPException(422, f"models: {e.args[0]!r} is not a shipped model ({shipped})") from None


async def _form(request: Request, body: bytes):
    """Parse the already size-checked body as multipart, through a fresh Request that replays it."""
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        # one part of each kind beyond the fields is parsed, so _check_fields can name it
        parts = len(UPLOAD_FIELDS)
        return await Request(request.scope, replay).form(
            max_files=parts, max_fields=parts, max_part_size=16 * 1024
        )
    except Exception:
        raise HTTPException(422, "the multipart body could not be parsed") from None
