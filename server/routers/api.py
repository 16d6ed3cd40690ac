"""The JSON API: one endpoint per figure's data, served as the bundle's own bytes.

Handlers are `async def` on purpose: they only look bytes up, so they skip the thread pool hop
that a plain `def` endpoint costs on every request.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from pydantic import BeforeValidator, Field

from server import figures as charts
from server.caching import send
from server.deps import StoreDep
from server.errors import ERROR_RESPONSES
from server.store import TrajectoryResponse
from tour import schema

router = APIRouter(prefix="/api", tags=["data"])


def _document_route(name: str, model: type[schema.Strict], summary: str) -> None:
    async def handler(request: Request, store: StoreDep) -> Response:
        return send(request, store.documents[name])

    router.add_api_route(
        f"/{name}",
        handler,
        methods=["GET"],
        summary=summary,
        name=f"api-{name}",
        responses={200: {"model": model}},
        response_class=Response,
    )


for _file, _doc in schema.DOCUMENTS.items():
    _document_route(schema.api_name(_file), _doc.model, _doc.summary)


def _canonical_int(value: object) -> object:
    """Accept only plain decimal digits: '1e3', '1.0', '+1', ' 1', '01', 'true' are not positions."""
    if isinstance(value, str) and not re.fullmatch(r"0|[1-9][0-9]*", value):
        raise ValueError("must be a non-negative integer written in plain digits")
    return value


# Bounds on Field, not Path: next to a BeforeValidator, FastAPI would drop Path's from the schema.
Position = Annotated[int, Field(ge=0, le=100_000), BeforeValidator(_canonical_int), Path()]


@router.get(
    "/figures/{name}",
    summary="One chart's Plotly figure (data, layout, frames), built from the bundle.",
    response_class=Response,
    responses=ERROR_RESPONSES,
)
async def figure(request: Request, name: Annotated[charts.FigureName, Path()], store: StoreDep) -> Response:
    return send(request, store.figures[name])


@router.get(
    "/trajectories/{position}",
    summary="PGD trajectories of one gallery image against both models.",
    response_class=Response,
    responses={200: {"model": TrajectoryResponse}, **ERROR_RESPONSES},
)
async def trajectory(request: Request, position: Position, store: StoreDep) -> Response:
    payloads = store.trajectories
    if position >= len(payloads):
        raise HTTPException(
            404, f"no gallery image {position}; the gallery has {len(payloads)} (0..{len(payloads) - 1})"
        )
    return send(request, payloads[position])
