"""Cross-site requests to the lab are refused with 403, before they reach its rate limit.

The lab's POSTs need no credentials, so the harm another site can do by making its readers' browsers
send them is to spend their lab budget and our CPU. A browser says where a request comes from:
`Sec-Fetch-Site` (every current browser) is believed as it stands, and only `same-origin` and `none`
(typed or bookmarked by the reader) pass. `same-site` does not: a sibling subdomain is another party.
A browser that sends no Sec-Fetch-Site still sends `Origin` on a POST, which must then be this
server's own (scheme, host and port, as the request arrived). Clients that send neither, such as
curl and scripts, are not browsers acting for someone else, and pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import Headers

SAME_ORIGIN_FETCHES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, netloc: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the scheme's default port filled in; None when it cannot be read."""
    try:
        parts = urlsplit(f"//{netloc}")
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    scheme = scheme.lower()
    return scheme, host, port if port is not None else DEFAULT_PORTS.get(scheme)


def cross_site(headers: Headers, scheme: str) -> str | None:
    """Why a request with these headers, arriving over `scheme`, comes from another site; None if not."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return None if site.lower() in SAME_ORIGIN_FETCHES else f"Sec-Fetch-Site is {site}"
    origin = headers.get("origin")
    if origin is None:
        return None
    sent = urlsplit(origin)
    theirs = _origin(sent.scheme, sent.netloc)  # None for `Origin: null` (sandboxed frames, files)
    if theirs is None or theirs != _origin(scheme, headers.get("host", "")):
        return f"Origin {origin} is not this server"
    return None


def refuse_cross_site(request: Request) -> None:
    """FastAPI dependency: 403 for a request another site's page made a reader's browser send."""
    why = cross_site(request.headers, request.url.scheme)
    if why is not None:
        raise HTTPException(403, f"the lab takes requests from its own pages only ({why})")
