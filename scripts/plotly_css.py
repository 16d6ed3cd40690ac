"""Write static/vendor/plotly/plotly.css: the style rules plotly.js would inject at run time.

plotly.js adds its CSS (mode bar, hover labels, notifier) by inserting rules into a <style> element
it creates, which the page's Content-Security-Policy (style-src 'self') refuses. Plotly skips that
step when the document already holds an element with id "plotly.js-style-global" and the class
"no-inline-styles"; the article links this file under that id. The rules are read from the vendored
plotly.js itself in headless Chromium, so they match it exactly:

    .venv/bin/python scripts/plotly_css.py           # rewrite the file after upgrading plotly.js
    .venv/bin/python scripts/plotly_css.py --check   # exit 1 if the file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "plotly"
LIBRARY = VENDOR / "plotly-cartesian.min.js"
OUT = VENDOR / "plotly.css"
CHROMIUM = "/usr/bin/chromium"
HEADER = "/* plotly.js's own style rules, read from plotly-cartesian.min.js by scripts/plotly_css.py */\n"


def extract(browser, library: Path = LIBRARY) -> str:
    """Draw one scatter and one heatmap in a blank page of `browser`, then read the rules Plotly inserted."""
    page = browser.new_page()
    try:
        page.set_content("<div id='g'></div>")
        page.add_script_tag(content=library.read_text())
        traces = "[{y: [1, 2]}, {z: [[1, 2]], type: 'heatmap'}]"
        page.evaluate(f"() => Plotly.newPlot('g', {traces}, {{}}).then(() => 0)")
        sheet = "document.getElementById('plotly.js-style-global').sheet"
        rules = page.evaluate(f"() => [...{sheet}.cssRules].map((r) => r.cssText)")
    finally:
        page.close()
    return HEADER + "".join(f"{rule}\n" for rule in reversed(rules))  # Plotly inserts each at index 0


def main(argv: list[str]) -> int:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        css = extract(browser)
        browser.close()
    if "--check" in argv:
        fresh = OUT.is_file() and OUT.read_text() == css
        print(f"{OUT} is {'current' if fresh else 'stale: rerun scripts/plotly_css.py'}")
        return 0 if fresh else 1
    OUT.write_text(css)
    print(f"wrote {OUT} ({len(css)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
