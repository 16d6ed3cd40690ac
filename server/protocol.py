"""What HTTP/1.1 asks of every response, enforced in one ASGI middleware (RFC 9110, RFC 9112).

- A request must carry exactly one Host header (HTTP/1.0 may carry none): 400 otherwise.
- HEAD is answered on every GET route: the GET's status and headers, no body.
- Redirects are relative: a Location never echoes the Host header a client sent.
- What is made per request and not cacheable (errors, lab results) says `Cache-Control: no-store`.
`accepts_gzip` reads Accept-Encoding with its q-values, so `gzip;q=0` means no gzip.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def accepts_gzip(accept_encoding: str) -> bool:
    """True when gzip (or `*`, gzip not named) has a q-value above 0 (RFC 9110 12.5.3)."""
    named: float | None = None
    star: float | None = None
    for part in accept_encoding.split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = q
        elif coding == "*":
            star = q
    chosen = named if named is not None else star
    return chosen is not None and chosen > 0


def _relative(location: bytes) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = parts.path or "/"
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")


class HttpRules:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts = sum(1 for k, _ in scope["headers"] if k == b"host")
        if hosts > 1 or (hosts == 0 and scope.get("http_version") != "1.0"):
            await _bad_request(send, "a request needs exactly one Host header")
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def follow(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = []
                for k, v in message.get("headers", []):
                    headers.append((k, _relative(v) if k == b"location" else v))
                if (status >= 400 or status == 200) and not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the GET's body is not sent; its Content-Length already was
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, follow)


async def _bad_request(send: Send, message: str) -> None:
    body = json.dumps({"error": {"status": 400, "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
