"""The application: verify the bundle, then wire one router per concern. Nothing else happens here."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from server import errors
from server.caching import FinishDynamic
from server.config import Settings
from server.protocol import HttpRules
from server.routers import api, assets, bundle_files, health, lab, pages
from server.security import SecurityHeaders
from server.statictree import load_static
from server.store import open_store
from server.views.chapters import build_chapters
from server.views.page import build_page
from tour.bundle import Bundle


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    lab.teardown(app)


def create_app(settings: Settings | None = None, bundle: Bundle | None = None) -> FastAPI:
    """Raises tour.bundle.BundleError or config.SettingsError (one line each) when the bundle is
    missing, altered or invalid, or a TOUR_* setting is out of range. `bundle`, when given, is the one
    in settings.bundle_dir, already verified (`python -m server` does that before importing the app)."""
    settings = settings or Settings.from_env()
    store = open_store(settings.bundle_dir if bundle is None else bundle)
    app = FastAPI(
        title="Robustness Tour",
        version="1",
        summary="Data behind the explorable article on adversarial robustness.",
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json stays
        redoc_url=None,
        # Nothing here collects OpenTelemetry; skip FastAPI's per-request provider checks.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        lifespan=_lifespan,
    )
    app.state.store = store
    app.state.page = build_page(store)  # the article's view-model, once: a bundle it cannot read fails here
    app.state.chapters = build_chapters(store)
    app.state.settings = settings
    app.state.static = load_static(settings.static_dir)
    app.state.templates = Jinja2Templates(directory=settings.article_dir)
    app.state.templates.env.globals["asset"] = app.state.static.url
    # the page's modulepreload list: read off the files once, not on every render
    app.state.templates.env.globals["modules"] = functools.cache(app.state.static.module_graph)
    app.state.templates.env.globals["static_site"] = False  # True while `export` renders the pages
    errors.install(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(bundle_files.router)
    app.include_router(health.router)
    app.include_router(assets.router)
    lab.setup(app, store, settings)  # loads the shipped models once; the lab says so when there are none
    # Outermost last: every response, errors included, leaves with the security headers.
    app.add_middleware(FinishDynamic)  # ETag + gzip for bodies made per request
    app.add_middleware(HttpRules)  # one Host, HEAD, relative redirects, no-store where nothing caches
    app.add_middleware(SecurityHeaders)
    return app
