"""HTTP caching and compression for bytes known at start-up: strong ETags, 304s, gzip done once.

Everything the API, the bundle route and the static files serve is fixed for the life of the
process, so each body is hashed and gzipped when the server starts and a request only picks a
variant. Bodies made per request get the same treatment from `FinishDynamic`.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.protocol import accepts_gzip

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
    use_gzip = payload.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding", ""))
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


class FinishDynamic:
    """ASGI middleware for bodies made per request (pages, lab results, errors).

    A rendered page gets a weak ETag, `no-cache` and a 304 when unchanged; any such body of 1 KiB
    or more is gzipped when the client accepts it. Pages render the same bytes every time, so their
    gzip is kept by ETag (gzip cost as much as rendering). Responses built from a Payload already
    carry an ETag and their encoding, and pass straight through, so the hot path pays one header scan.
    """

    PAGE_VARIANTS = 32  # past this many distinct pages the gzip cache starts over

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.page_gzip: dict[str, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if not any(k in (b"etag", b"content-encoding") for k, _ in message["headers"]):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope["method"], request_headers, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, buffer)

    async def _finish(self, method: str, request: Headers, start: Message, body: bytes, send: Send) -> None:
        status = start["status"]
        headers = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"cache-control")]
        media_type = Headers(raw=headers).get("content-type", "")
        etag = None
        if status == 200 and method in ("GET", "HEAD") and media_type.startswith("text/html"):
            etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers += [(b"etag", etag.encode()), (b"cache-control", REVALIDATE.encode())]
            if _etag_matches(request.get("if-none-match", ""), etag):
                status, body = 304, b""
        if len(body) >= 1024 and media_type.startswith(COMPRESSIBLE):
            headers.append((b"vary", b"Accept-Encoding"))
            if accepts_gzip(request.get("accept-encoding", "")):
                body = self._gzip(body, etag)
                headers.append((b"content-encoding", b"gzip"))
        if status != 304:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _gzip(self, body: bytes, page_etag: str | None) -> bytes:
        if page_etag is None:
            return gzip.compress(body, compresslevel=6)
        packed = self.page_gzip.get(page_etag)
        if packed is None:
            if len(self.page_gzip) >= self.PAGE_VARIANTS:
                self.page_gzip.clear()
            packed = self.page_gzip[page_etag] = gzip.compress(body, compresslevel=6, mtime=0)
        return packed
