"""Fixtures for tests that need the real server (uvicorn in a subprocess) or real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import CHROMIUM, CHROMIUM_ARGS, running_server


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real server over the committed default bundle."""
    with running_server() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium (see .ci/run)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving the server's origin (the page must be offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.foreign_requests = []

    def watch(request):
        if not request.url.startswith(live_server) and not request.url.startswith(("data:", "blob:")):
            pg.foreign_requests.append(request.url)

    pg.on("request", watch)
    pg.base_url = live_server
    yield pg
    context.close()
