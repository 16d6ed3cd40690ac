"""The static export in Chromium: the article's whole browser suite, re-run against a static host.

The star import collects every test of tests/web/test_article_browser.py (and the phone's from
test_layout_browser.py) into this module, where
`live_server` is the static site (see conftest.py), so the export is held to the same checks as the
server, and any new article test applies to it without an edit here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.reader import draw_all, open_article
from tests.web.test_article_browser import *  # noqa: F403
from tests.web.test_layout_browser import (  # the phone's reading, on the static host too
    test_narrow_screen_is_one_column_without_horizontal_scroll,  # noqa: F401
    test_phone_gallery_has_44px_targets_and_shows_all_on_request,  # noqa: F401
    test_touch_taps_on_a_phone,  # noqa: F401
)

pytestmark = pytest.mark.browser


def test_download_links_serve_the_figures_data(page) -> None:
    """Replaces the server's version: a static host sends the extension-less data files as
    application/octet-stream (each link's `download` name still saves it as .json)."""
    open_article(page)
    links = page.evaluate("() => [...document.querySelectorAll('a.download')].map((a) => a.href)")
    assert len(links) >= 6
    for href in links:
        r = page.request.get(href)
        assert r.status == 200 and json.loads(r.body()), href


def test_the_lab_is_a_note(page) -> None:
    page.goto(page.base_url + "/")
    note = page.locator("#lab .lab-note")
    assert note.count() == 1 and "server" in note.inner_text()
    assert page.locator("#lab-form").count() == 0


def test_every_request_is_answered(page) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(page.base_url + "/")
    page.wait_for_function("() => document.documentElement.dataset.ready", timeout=20_000)
    assert page.evaluate("() => document.documentElement.dataset.ready") == "true"
    draw_all(page)  # every figure's data and Plotly figure, as the static host serves them
    assert failed == [] and page.foreign_requests == []


def test_site_has_no_server_only_files(static_site: Path) -> None:
    files = [p.relative_to(static_site).as_posix() for p in static_site.rglob("*") if p.is_file()]
    assert "index.html" in files and "api/training" in files and "api/trajectories/0" in files
    assert not [f for f in files if f.endswith(".safetensors")]
    assert any(f.startswith("assets/") and f.endswith("/js/entries/app.js") for f in files)
