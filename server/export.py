"""`python -m server export DIR`: the whole article as a static site, at the URLs the server uses.

Pages are rendered through the app itself with the Jinja global `static_site` set, so templates
can swap the live lab for a note; everything else is written from the bytes the server would send.
Extension-less JSON URLs (/api/training) become extension-less files, which static hosts send
as application/octet-stream and fetch().json() reads all the same. The weights and the test-set
pages are left out: only the live lab, which needs the server, reads them.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from server.routers import pages

SERVER_ONLY_SUFFIXES = (".safetensors", ".webp")


def _get(app: FastAPI, path: str) -> bytes:
    """One in-process GET through the whole middleware stack; anything but 200 is a bug."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    status, chunks = 0, []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    asyncio.run(app(scope, receive, send))
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status} while exporting: {b''.join(chunks)[:200]!r}")
    return b"".join(chunks)


def _page_paths() -> list[str]:
    return [r.path for r in pages.router.routes if isinstance(r, APIRoute) and "{" not in r.path]


def _write(out: Path, url: str, body: bytes) -> None:
    path = out / url.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def export_site(app: FastAPI, out: Path) -> int:
    """Write the site into `out` (replacing it); returns the number of files written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    store, tree = app.state.store, app.state.static
    files: dict[str, bytes] = {}
    app.state.templates.env.globals["static_site"] = True
    try:
        for page in _page_paths():
            files[f"{page.rstrip('/')}/index.html"] = _get(app, page)
    finally:
        app.state.templates.env.globals["static_site"] = False
    for name, payload in store.documents.items():
        files[f"/api/{name}"] = payload.body
    # /api/trajectories/N needs a folder where the full document's file would be; a host that
    # serves a folder's index.html (all common ones do) still answers /api/trajectories with it.
    files["/api/trajectories/index.html"] = files.pop("/api/trajectories")
    for position, payload in enumerate(store.trajectories):
        files[f"/api/trajectories/{position}"] = payload.body
    for name, payload in store.figures.items():
        files[f"/api/figures/{name}"] = payload.body
    for path, payload in store.files.items():
        if not path.endswith(SERVER_ONLY_SUFFIXES):
            files[f"/bundle/{path}"] = payload.body
    for path, payload in tree.files.items():
        files[tree.url(path)] = payload.body
    for url, body in files.items():
        _write(out, url, body)
    return len(files)
