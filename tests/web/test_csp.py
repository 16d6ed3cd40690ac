"""The served Content-Security-Policy holds in real Chromium: every figure and the lab, zero violations.

Violations are caught twice: the `securitypolicyviolation` DOM event (recorded by a script the
browser injects before the page's own, outside the policy) and Chromium's console report.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective}: ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


def exercise_every_figure(page) -> None:
    """Generic on purpose, so a new figure or control is exercised without touching this test."""
    for figure in page.locator("figure[id^=fig-]").all():
        figure.scroll_into_view_if_needed()
        page.wait_for_selector(f"#{figure.get_attribute('id')}[data-state]", timeout=20_000)
        for chart in figure.locator(".chart").all():
            box = chart.bounding_box()
            if box:  # sweep across the plot so the charts draw (and style) their hover labels
                for fx in (0.3, 0.5, 0.7):
                    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
        for thumb in figure.locator("[role=radio]:visible").all()[:3]:
            thumb.click()
        for button in figure.locator("button:visible").all():
            if button.is_enabled():  # a stepper at its start has no previous step
                button.click()
        for chart in figure.locator(".js-plotly-plot").all():  # Plotly's mode bar: download as PNG
            chart.hover()
            for item in chart.locator(".modebar-btn").all():
                with page.expect_download():
                    item.click()
        for slider in figure.locator("input[type=range]:visible").all():
            slider.focus()
            slider.press("End")
            slider.press("Home")
        for label in figure.locator("label:visible").all()[:4]:
            label.click()
    page.wait_for_timeout(400)


def test_no_csp_violations_anywhere_on_the_page(page) -> None:
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(page.base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("() => document.documentElement.dataset.ready", timeout=20_000)
    exercise_every_figure(page)
    if page.locator("#lab-form").count():  # the live lab, when this server has one: run one attack
        page.locator("#lab").scroll_into_view_if_needed()  # it loads its data when a reader nears it
        page.wait_for_selector("#lab[data-ready]", timeout=20_000)
        if page.get_attribute("#lab", "data-ready") == "true":
            page.locator("#lab-run").click()
            page.wait_for_selector("#lab-results:not([hidden])", timeout=60_000)
            page.locator("#lab-stepper input[type=range]").press("Home")
    assert page.evaluate("window.__csp") == []
    assert console == []
    assert page.foreign_requests == []
