"""axe-core over the article and its live lab in real Chromium, every figure drawn: no serious or
critical violation, at desktop and at phone width."""

from __future__ import annotations

import pytest

from tests.web.reader import draw_all

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_article_and_lab_have_no_serious_violations(browser, live_server, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.wait_for_function("() => document.documentElement.dataset.ready", timeout=20_000)
        draw_all(page)
        if page.locator("#lab-form").count():
            page.locator("#lab").scroll_into_view_if_needed()
            page.wait_for_selector("#lab[data-ready]", timeout=20_000)
        assert serious(page) == []
    finally:
        context.close()
