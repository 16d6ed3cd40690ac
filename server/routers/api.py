"""The JSON API: one endpoint per figure's data, served as the bundle's own bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response

from precompute import schema
from server.store import Store, TrajectoryResponse

router = APIRouter(prefix="/api", tags=["data"])

DOCUMENTS: dict[str, tuple[type[schema.Strict], str]] = {
    "run": (schema.RunFile, "Provenance: preset, config, commit, device, timings."),
    "training": (schema.TrainingFile, "Per-epoch curves of every model (sections 1 and 4)."),
    "gallery": (schema.GalleryFile, "The gallery of test images; the first ten are the examples."),
    "epoch-probs": (schema.EpochProbsFile, "Class probabilities of the examples after every epoch."),
    "trajectories": (
        schema.TrajectoriesFile,
        "Every precomputed PGD trajectory (large; prefer the per-image route).",
    ),
    "sweep": (schema.SweepFile, "Accuracy of every model at every test eps (section 5)."),
    "evaluation": (schema.EvaluationFile, "Final clean, PGD and AutoAttack accuracy."),
}


def _store(request: Request) -> Store:
    return request.app.state.store


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


def _document_route(name: str, model: type[schema.Strict], summary: str) -> None:
    def handler(request: Request) -> Response:
        return _json(_store(request).documents[name])

    router.add_api_route(
        f"/{name}",
        handler,
        methods=["GET"],
        summary=summary,
        name=f"api-{name}",
        responses={200: {"model": model}},
        response_class=Response,
    )


for _name, (_model, _summary) in DOCUMENTS.items():
    _document_route(_name, _model, _summary)


@router.get(
    "/trajectories/{position}",
    summary="PGD trajectories of one gallery image against both models.",
    response_class=Response,
    responses={200: {"model": TrajectoryResponse}, 404: {"description": "No such gallery image."}},
)
def trajectory(request: Request, position: Annotated[int, Path(ge=0, le=100_000, strict=True)]) -> Response:
    bodies = _store(request).trajectories
    if position >= len(bodies):
        raise HTTPException(
            404, f"no gallery image {position}; the gallery has {len(bodies)} (0..{len(bodies) - 1})"
        )
    return _json(bodies[position])
