"""The article page, rendered from `article/` templates with every number taken from the bundle."""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from server.page import Page, build_page

router = APIRouter(tags=["pages"])
_lock = threading.Lock()


def page_context(app: FastAPI) -> Page:
    """The view-model of the app's bundle, built once (MathML included) and kept on app.state."""
    page = getattr(app.state, "page", None)
    if page is None:
        with _lock:
            page = getattr(app.state, "page", None)
            if page is None:
                page = build_page(app.state.store)
                app.state.page = page
    return page


@router.get("/", response_class=HTMLResponse, summary="The article.")
def article(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    context = {"store": request.app.state.store, "page": page_context(request.app)}
    return templates.TemplateResponse(request, "index.html", context)
