"""What a reader does in the browser tests: open the article on a desktop or a phone, scroll each
figure near so it draws (figures are lazy), and read the view the URL holds."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

READY = "() => document.documentElement.dataset.ready"

FIGURES = (
    "opening",
    "learning",
    "attack",
    "steps",
    "defense",
    "tradeoff",
    "sweep",
    "sweep-grid",
    "transfer",
    "saliency",
    "paint",
    "input-landscape",
    "weight-landscape",
    "capacity",
)


def draw_all(page) -> None:
    """Bring each figure near, as a reader scrolling down would, and wait until it has drawn."""
    for fig in FIGURES:
        page.locator(f"#fig-{fig}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#fig-{fig}[data-state]", timeout=20_000)
        assert page.get_attribute(f"#fig-{fig}", "data-state") == "ready", f"{fig} failed to draw"
    page.evaluate("() => window.scrollTo(0, 0)")


def open_article(page, query: str = "") -> list[str]:
    """Load the article, draw every figure; returns the console errors seen (a live list)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.goto(page.base_url + "/" + query)
    page.wait_for_function(READY, timeout=20_000)
    assert page.evaluate(READY) == "true", "a figure failed to render"
    draw_all(page)
    return errors


@contextmanager
def phone(browser, base: str, **extra):
    """A page in a 390 x 844 touch phone's viewport."""
    size = {"width": 390, "height": 844}
    context = browser.new_context(viewport=size, is_mobile=True, has_touch=True, **extra)
    page = context.new_page()
    page.base_url = base
    try:
        yield page
    finally:
        context.close()


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_param(page, name: str, value) -> None:
    page.wait_for_function(
        "([n, v]) => new URLSearchParams(location.search).get(n) === v", arg=[name, str(value)], timeout=5_000
    )


def summary(page, fig: str) -> str:
    """A figure's text summary, what a screen reader hears."""
    return page.locator(f"#summary-{fig}").inner_text()
