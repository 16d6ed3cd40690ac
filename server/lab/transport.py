"""How a lab request's bytes arrive: the rate limit and media type before the body, the body read
under its size limit, strict parsing to 422, and an upload's multipart form with exactly its fields.

Each check answers with an HTTPException that says what to change; none of them reads more of the
body than its limit allows.
"""

from __future__ import annotations

import math
from typing import TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from server.lab.gate import RateLimiter
from server.lab.limits import LIMITS

M = TypeVar("M", bound=BaseModel)
# The fields of an upload, each at most once; any other is refused with 422, as the upload's OpenAPI
# schema states (additionalProperties false).
IMAGE, PARAMS = "image", "params"
UPLOAD_FIELDS = (IMAGE, PARAMS)
PARAMS_PART_BYTES = 16 * 1024  # the params field is JSON of a few hundred bytes


def admit(request: Request, limiter: RateLimiter, media_type: str) -> None:
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


async def read_body(request: Request, limit: int) -> bytes:
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


def parse(model: type[M], raw: bytes | str) -> M:
    """`raw` as `model`, or 422 naming the first three problems."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as e:
        parts = []
        for err in e.errors(include_url=False)[:3]:
            where = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{where or 'body'}: {err.get('msg', 'invalid').removeprefix('Value error, ')}")
        raise HTTPException(422, "; ".join(parts)) from None


async def read_json(request: Request, model: type[M]) -> M:
    return parse(model, await read_body(request, LIMITS.json_bytes_max))


async def read_upload(request: Request) -> tuple[bytes, str | None]:
    """The multipart body's image bytes (read up to one past the limit) and its `params` text, if any."""
    body = await read_body(request, LIMITS.multipart_bytes_max)
    form = await _form(request, body)
    try:
        _check_fields([name for name, _ in form.multi_items()])
        file, raw = form.get(IMAGE), form.get(PARAMS)
        if not isinstance(file, UploadFile):
            raise HTTPException(422, f"{IMAGE}: a file field named '{IMAGE}' is required")
        if raw is not None and not isinstance(raw, str):
            raise HTTPException(422, f"{PARAMS}: a text field holding JSON, not a file")
        return await file.read(LIMITS.upload_bytes_max + 1), raw
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


async def _form(request: Request, body: bytes) -> FormData:
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
            max_files=parts, max_fields=parts, max_part_size=PARAMS_PART_BYTES
        )
    except Exception:
        raise HTTPException(422, "the multipart body could not be parsed") from None
