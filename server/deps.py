"""Typed dependencies: what a route may ask for, built once in create_app and kept on app.state.

Routes declare `store: StoreDep` (and so on) instead of reaching into request.app.state, so what a
handler uses is in its signature and a test can override it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from server.asset_tree import AssetTree
from server.lab.engine import Lab
from server.lab.gate import AttackGate, RateLimiter
from server.store import Store
from server.views.chapters import Chapters
from server.views.page import Page


def _state(name: str) -> Callable[[Request], Any]:
    """The dependency that hands a route app.state.<name>; its type comes with the Annotated below."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = name
    return get


StoreDep = Annotated[Store, Depends(_state("store"))]
PageDep = Annotated[Page, Depends(_state("page"))]
ChaptersDep = Annotated[Chapters, Depends(_state("chapters"))]
TemplatesDep = Annotated[Jinja2Templates, Depends(_state("templates"))]
StaticDep = Annotated[AssetTree, Depends(_state("static"))]
LabDep = Annotated[Lab, Depends(_state("lab"))]
GateDep = Annotated[AttackGate, Depends(_state("lab_gate"))]
LimiterDep = Annotated[RateLimiter, Depends(_state("lab_limiter"))]
