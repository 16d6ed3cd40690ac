"""HTTP caching and compression for bytes known at start-up: strong ETags, 304s, gzip done once.

Everything the API, the bundle route and the static files serve is fixed for the life of the
process, so each body is hashed and gzipped when the server starts and a request only picks a
variant. Rendered pages get the same treatment per response from `RevalidatePages`.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REVALIDATE = "no-cache"  # may be stored, but must be revalidated (ETag) before each use
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


@dataclass(frozen=True)
class Payload:
    """A fixed body with its media type, strong ETag and (when it pays) a gzip variant."""

    body: bytes
    media_type: str
    etag: str
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Payload:
        digest = hashlib.sha256(body).hexdigest()[:32]
        gzipped = None
        if media_type.startswith(COMPRESSIBLE) and len(body) >= 512:
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            gzipped = packed if len(packed) < len(body) * 0.9 else None
        return cls(body=body, media_type=media_type, etag=f'"{digest}"', gzipped=gzipped)


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `W/` prefixes and the gzip suffix do not matter."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(
        tag.strip().removeprefix("W/").replace('.gz"', '"') == opaque for tag in if_none_match.split(",")
    )


def send(request: Request, payload: Payload, cache_control: str = REVALIDATE) -> Response:
    """The payload as a response: 304 when the client's copy is current, gzip when accepted."""
    use_gzip = payload.gzipped is not None and "gzip" in request.headers.get("accept-encoding", "")
    etag = f'{payload.etag[:-1]}.gz"' if use_gzip else payload.etag
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if payload.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if _etag_matches(request.headers.get("if-none-match", ""), payload.etag):
        return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(payload.gzipped, media_type=payload.media_type, headers=headers)
    return Response(payload.body, media_type=payload.media_type, headers=headers)


class RevalidatePages:
    """ASGI middleware: a rendered HTML page gets an ETag and `no-cache`, and a 304 when unchanged.

    Only successful GET responses that are HTML and carry no ETag of their own are buffered; pages
    are small and rendered per request, so hashing them costs little next to the rendering.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match", "")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                html = headers.get("content-type", "").startswith("text/html")
                if message["status"] == 200 and html and "etag" not in headers:
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _finish(start, b"".join(chunks), if_none_match, send)
                return
            await send(message)

        await self.app(scope, receive, buffer)


async def _finish(start: Message, body: bytes, if_none_match: str, send: Send) -> None:
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"cache-control")]
    headers += [(b"etag", etag.encode()), (b"cache-control", REVALIDATE.encode())]
    if _etag_matches(if_none_match, etag):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
