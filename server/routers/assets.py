"""Static files (JS, CSS) from memory: versioned URLs are cached for a year.

Only files read at start-up exist here, so no path, encoded or not, can reach outside static/.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from server.asset_tree import AssetTree
from server.caching import IMMUTABLE, Payload, send
from server.deps import StaticDep

router = APIRouter(include_in_schema=False)


def _lookup(tree: AssetTree, path: str) -> Payload:
    payload = tree.files.get(path)
    if payload is None:
        raise HTTPException(404, f"no static file {path!r}")
    return payload


@router.get("/assets/{version}/{path:path}")
async def versioned(request: Request, version: str, path: str, tree: StaticDep) -> Response:
    if version != tree.version:
        raise HTTPException(404, f"asset version {version!r} is not the one this server holds")
    return send(request, _lookup(tree, path), IMMUTABLE)
