"""The application: verify the bundle, then wire one router per concern. Nothing else happens here."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from server import errors
from server.config import Settings
from server.routers import api, assets, health, pages
from server.store import open_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """Raises precompute.bundle.BundleError (one line) if the bundle is missing, altered or invalid."""
    settings = settings or Settings()
    store = open_store(settings.bundle_dir)
    app = FastAPI(
        title="Robustness Tour",
        version="1",
        summary="Data behind the explorable article on adversarial robustness.",
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json stays
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=settings.article_dir)
    app.state.templates.env.globals["asset"] = lambda path: f"/static/{path}"
    errors.install(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(assets.router)
    app.include_router(health.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app
