"""What a reader does before looking at a figure: scroll it near, so it draws (figures are lazy)."""

from __future__ import annotations

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
