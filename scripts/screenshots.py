"""Screenshots of every section of the article, at desktop and phone width, for docs/screens/.

Runs the real server over the committed bundle and real headless Chromium; each figure is drawn
(scrolled near) before its section is captured.

    .venv/bin/python scripts/screenshots.py            # writes docs/screens/<section>-<width>.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import CHROMIUM, CHROMIUM_ARGS, REPO, running_server
from tests.web.reader import draw_all

OUT = REPO / "docs" / "screens"
SECTIONS = (
    "fig-opening",
    "learning",
    "attack",
    "defense",
    "tradeoff",
    "sweep",
    "transfer",
    "gradients",
    "paint",
    "landscape",
    "weights",
    "capacity",
    "lab",
    "limits",
)
SIZES = {"desktop": dict(width=1280, height=900), "phone": dict(width=390, height=844)}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with running_server("--no-access-log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, size in SIZES.items():
            phone = name == "phone"
            context = browser.new_context(
                viewport=size, is_mobile=phone, has_touch=phone, reduced_motion="reduce"
            )
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_function("() => document.documentElement.dataset.ready", timeout=30_000)
            draw_all(page)
            for section in SECTIONS:
                el = page.locator(f"#{section}")
                el.scroll_into_view_if_needed()
                if section == "lab":
                    page.wait_for_selector("#lab[data-ready]", timeout=30_000)
                # a section and the figure after it, as a reader sees them, up to two screens high
                top = el.evaluate("(e) => e.getBoundingClientRect().top + window.scrollY")
                clip = dict(x=0, y=top, width=size["width"], height=2 * size["height"])
                path = OUT / f"{section.removeprefix('fig-')}-{name}.png"
                page.screenshot(path=str(path), clip=clip, full_page=True)
                print(f"wrote {path.relative_to(REPO)}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
