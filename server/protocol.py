"""What HTTP/1.1 asks of every response, enforced in one ASGI middleware (RFC 9110, RFC 9112).

- A request must carry exactly one Host header (HTTP/1.0 may carry none): 400 otherwise.
- HEAD is answered on every GET route: the GET's status and headers, no body.
- Redirects are relative: a Location never echoes the Host header a client sent.
- What is made per request and not cacheable (errors, lab results) says `Cache-Control: no-store`.
- A method the resource does not answer is 405 with an Allow header naming the ones it does; the
  front (deploy/nginx.conf) is filled in from the same `allowed`, so both say the same.
- A request body sent with Transfer-Encoding is 411 and the connection is closed: nginx's chunked
  parser is lenient (see DEPLOY.md), so bodies must come with a Content-Length, here as behind it.
`accepts_gzip` reads Accept-Encoding with its q-values, so `gzip;q=0` means no gzip.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The methods the service answers, by resource: every path under RUNS_PREFIX runs the lab's models
# and takes POST; every other one is read with GET (and so HEAD). tests/web/test_protocol.py holds
# the app's routes to this.
READ_METHODS = ("GET", "HEAD")
RUN_METHODS = ("POST",)
RUNS_PREFIX = "/api/lab/"
METHODS = READ_METHODS + RUN_METHODS


def allowed(path: str) -> tuple[str, ...]:
    """The methods `path` answers: what a 405's Allow header must list (RFC 9110 15.5.6)."""
    return RUN_METHODS if path.startswith(RUNS_PREFIX) else READ_METHODS


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
        refusal = _refusal(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        allow = ", ".join(allowed(scope["path"])).encode()
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def follow(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = []
                for k, v in message.get("headers", []):
                    if status != 405 or k != b"allow":
                        headers.append((k, _relative(v) if k == b"location" else v))
                if status == 405:  # the router's Allow omits HEAD, which this middleware answers
                    headers.append((b"allow", allow))
                if (status >= 400 or status == 200) and not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the GET's body is not sent; its Content-Length already was
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, follow)


def _refusal(scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
    """Status, message and extra headers for a request refused before any route sees it, or None."""
    headers = scope["headers"]
    hosts = sum(1 for k, _ in headers if k == b"host")
    if hosts > 1 or (hosts == 0 and scope.get("http_version") != "1.0"):
        return 400, "a request needs exactly one Host header", []
    if any(k == b"transfer-encoding" for k, _ in headers):
        return 411, "send the request body with a Content-Length, not a Transfer-Encoding", []
    if scope["method"] not in METHODS:
        allow = ", ".join(allowed(scope["path"]))
        return 405, f"{scope['method']} is not allowed here; use {allow}", [(b"allow", allow.encode())]
    return None


async def _refuse(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]]) -> None:
    """A JSON error that closes the connection: what follows on it may not be a request of its own."""
    body = json.dumps({"error": {"status": status, "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
