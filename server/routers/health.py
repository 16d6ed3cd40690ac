"""Liveness for the container's HEALTHCHECK: the bundle was verified at start-up, so up means ready."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The server is up and serving a verified bundle.")
async def healthz(store: StoreDep) -> dict[str, str]:
    return {"status": "ok", "preset": store.bundle.manifest.preset}
