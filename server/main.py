"""The application, assembled in one place: verify the bundle, build its figures, page and lab once,
then wire one router per concern and the middleware. Nothing else happens here."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from server import errors, figures
from server.asset_tree import load_assets
from server.caching import FinishDynamic
from server.config import Settings
from server.lab.engine import Lab
from server.lab.gate import AttackGate, RateLimiter
from server.lab.openapi import declare_models
from server.protocol import HttpRules
from server.routers import api, assets, bundle_files, health, lab, pages
from server.security import SecurityHeaders
from server.store import open_store
from server.views.chapters import build_chapters
from server.views.numbers import FORMATS_JSON
from server.views.page import build_page
from tour.bundle import Bundle, load_bundle


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.lab_gate.shutdown()  # stop the lab's worker threads
    app.state.lab.close()


def create_app(settings: Settings | None = None, bundle: Bundle | None = None) -> FastAPI:
    """Raises tour.bundle.BundleError or config.SettingsError (one line each) when the bundle is
    missing, altered or invalid, or a TOUR_* setting is out of range. `bundle`, when given, is the one
    in settings.bundle_dir, already verified (`python -m server` does that before importing the app)."""
    settings = settings or Settings.from_env()
    bundle = load_bundle(settings.bundle_dir) if bundle is None else bundle
    store = open_store(bundle, figures.build_all(bundle))
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
    app.state.static = load_assets(settings.static_dir)
    app.state.templates = Jinja2Templates(directory=settings.article_dir)
    app.state.templates.env.globals["asset"] = app.state.static.url
    # the page's modulepreload list: read off the files once, not on every render
    app.state.templates.env.globals["modules"] = functools.cache(app.state.static.module_graph)
    app.state.templates.env.globals["static_site"] = False  # True while `export` renders the pages
    app.state.templates.env.globals["number_formats"] = FORMATS_JSON  # what format.js formats with
    errors.install(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(bundle_files.router)
    app.include_router(health.router)
    app.include_router(assets.router)
    # The lab: the shipped models loaded once (it says so when there are none), its queue and rate
    # limit, and the model ids its OpenAPI document accepts.
    app.state.lab = Lab.from_store(store)
    app.state.lab_gate = AttackGate(
        workers=settings.lab_workers, queue=settings.lab_queue, deadline=settings.lab_timeout
    )
    app.state.lab_limiter = RateLimiter(per_minute=settings.lab_per_minute, burst=settings.lab_burst)
    app.include_router(lab.router)
    declare_models(app, [m.info.id for m in app.state.lab.models])
    # Outermost last: every response, errors included, leaves with the security headers.
    app.add_middleware(FinishDynamic)  # ETag + gzip for bodies made per request
    app.add_middleware(HttpRules)  # one Host, HEAD, relative redirects, no-store where nothing caches
    app.add_middleware(SecurityHeaders)
    return app
