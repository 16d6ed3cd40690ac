"""The vendored plotly.js is the version package.json pins, and its extracted CSS is current."""

from __future__ import annotations

import json
import sys

import pytest

from tests.support import REPO

VENDOR = REPO / "static" / "vendor" / "plotly"
PACKAGE = "plotly.js-cartesian-dist-min"


def test_vendored_plotly_is_the_pinned_package() -> None:
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"][PACKAGE]
    installed = REPO / "node_modules" / PACKAGE
    if not installed.is_dir():
        pytest.skip("node_modules not installed (scripts/test.sh runs npm ci first)")
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    for name in ("plotly-cartesian.min.js", "LICENSE"):
        same = (VENDOR / name).read_bytes() == (installed / name).read_bytes()
        assert same, f"{name} differs from {pinned}"


@pytest.mark.browser
def test_plotly_css_matches_the_library(browser) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import plotly_css
    finally:
        sys.path.pop(0)
    assert (VENDOR / "plotly.css").read_text() == plotly_css.extract(browser), "rerun scripts/plotly_css.py"
