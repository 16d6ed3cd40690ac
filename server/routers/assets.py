"""Files of the bundle (sprite sheets, weights) served from the verified bytes held in memory.

Only names listed in the manifest exist here, so no request can reach outside the bundle.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

router = APIRouter(prefix="/bundle", tags=["bundle"])

MEDIA_TYPES = {".png": "image/png", ".json": "application/json", ".safetensors": "application/octet-stream"}


@router.get(
    "/{path:path}",
    summary="A file of the bundle, exactly as listed in its manifest.",
    response_class=Response,
    responses={404: {"description": "The manifest lists no such file."}},
)
def bundle_file(request: Request, path: str) -> Response:
    data = request.app.state.store.bundle.files.get(path)
    suffix = path[path.rfind(".") :] if "." in path else ""
    if data is None or suffix not in MEDIA_TYPES:
        raise HTTPException(404, f"the bundle has no file {path!r}")
    return Response(content=data, media_type=MEDIA_TYPES[suffix])
