"""Typed dependencies: what a route may ask for, built once in create_app and kept on app.state.

Routes declare `store: StoreDep` (and so on) instead of reaching into request.app.state, so what a
handler uses is in its signature and a test can override it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from server.config import Settings
from server.lab.engine import Lab
from server.lab.gate import AttackGate, RateLimiter
from server.page import Page
from server.statictree import StaticTree
from server.store import Store


def settings(request: Request) -> Settings:
    return request.app.state.settings


def store(request: Request) -> Store:
    return request.app.state.store


def page(request: Request) -> Page:
    return request.app.state.page


def templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def static_tree(request: Request) -> StaticTree:
    return request.app.state.static


def lab(request: Request) -> Lab:
    return request.app.state.lab


def lab_gate(request: Request) -> AttackGate:
    return request.app.state.lab_gate


def lab_limiter(request: Request) -> RateLimiter:
    return request.app.state.lab_limiter


SettingsDep = Annotated[Settings, Depends(settings)]
StoreDep = Annotated[Store, Depends(store)]
PageDep = Annotated[Page, Depends(page)]
TemplatesDep = Annotated[Jinja2Templates, Depends(templates)]
StaticDep = Annotated[StaticTree, Depends(static_tree)]
LabDep = Annotated[Lab, Depends(lab)]
GateDep = Annotated[AttackGate, Depends(lab_gate)]
LimiterDep = Annotated[RateLimiter, Depends(lab_limiter)]
