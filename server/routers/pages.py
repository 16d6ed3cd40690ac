"""The article page, rendered from `article/` templates with every number taken from the bundle."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.deps import ChaptersDep, PageDep, StoreDep, TemplatesDep

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The article.")
def article(
    request: Request, store: StoreDep, page: PageDep, chapters: ChaptersDep, templates: TemplatesDep
) -> HTMLResponse:
    """The view-models were built from the bundle once, in create_app."""
    context = {"store": store, "page": page, "chapters": chapters}
    return templates.TemplateResponse(request, "index.html", context)
