"""The article page, rendered from `article/` templates with every number taken from the bundle."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The article.")
def article(request: Request) -> HTMLResponse:
    """The view-model (`app.state.page`) was built from the bundle once, in create_app."""
    templates = request.app.state.templates
    context = {"store": request.app.state.store, "page": request.app.state.page}
    return templates.TemplateResponse(request, "index.html", context)
