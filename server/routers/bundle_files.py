"""Files of the bundle (sprite sheets, weights) served from the verified bytes held in memory.

Only names listed in the manifest exist here, so no request can reach outside the bundle.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from server.caching import send
from server.deps import StoreDep
from server.errors import ERROR_RESPONSES

router = APIRouter(prefix="/bundle", tags=["bundle"])


@router.get(
    "/{path:path}",
    summary="A file of the bundle, exactly as listed in its manifest.",
    response_class=Response,
    responses={
        200: {
            "description": "The file's bytes.",
            "content": {"image/png": {}, "application/json": {}, "application/octet-stream": {}},
        },
        **ERROR_RESPONSES,
    },
)
async def bundle_file(request: Request, path: str, store: StoreDep) -> Response:
    payload = store.files.get(path)
    if payload is None:
        raise HTTPException(404, f"the bundle has no file {path!r}")
    return send(request, payload)
