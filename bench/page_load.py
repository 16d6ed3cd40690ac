"""Article page load: weight of the first visit, time to the first interactive figures, and the
racing bars' keystroke-to-update time.

Runs the real server on loopback and opens the article in headless Chromium (a fresh context per
run, so nothing is cached). "Interactive" is the page's own signal: app.js sets
`<html data-ready="true" data-ready-ms=...>` once every figure near the viewport at load has drawn
its first view with its data (Plotly charts plotted, bars and summaries filled, sliders live); the
others draw when the reader scrolls near them. data-ready-ms is performance.now() at that moment,
i.e. milliseconds since navigation start. Keystroke-to-update: an arrow key on the epoch slider,
from the key event to the first frame painted after Plotly starts moving the bars.

Weight counts every response of the first load: bytes on the wire (what the server sent,
compressed or not) and, per body, the gzip -6 size, which is what it would cost with compression
on for text. PNG sprites are counted as they are (they do not compress further).

    .venv/bin/python -m bench.page_load [--bundle DIR] [--runs 7] [--record]

Targets: first load <= 1.0 MB gzip, first figures interactive <= 1.0 s, keystroke <= 100 ms.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
from collections import defaultdict
from datetime import UTC, datetime

from bench.wrk import record
from tests.support import CHROMIUM, CHROMIUM_ARGS, running_server

KINDS = ("HTML", "JS", "CSS", "JSON", "PNG", "other")
TYPES = (("html", "HTML"), ("javascript", "JS"), ("css", "CSS"), ("json", "JSON"), ("png", "PNG"))


def kind_of(url: str, content_type: str) -> str:
    for needle, kind in TYPES:
        if needle in content_type:
            return kind
    return "JSON" if "/api/" in url else "other"


def one_load(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url)
    page.wait_for_function("() => document.documentElement.dataset.ready", timeout=30_000)
    ready = page.evaluate("() => document.documentElement.dataset.ready")
    ready_ms = float(page.evaluate("() => document.documentElement.dataset.readyMs"))
    api_at_ready = sorted({r.url.split("/api/", 1)[1] for r in responses if "/api/" in r.url})
    timing = page.evaluate(
        """() => {
          const n = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: fcp ? fcp.startTime : null };
        }"""
    )
    page.wait_for_timeout(300)  # anything fetched right after ready still counts as first load
    first = len(responses)
    # then read to the end: the shown images' trajectory strips and the lab load as they come near
    for y in range(0, page.evaluate("() => document.body.scrollHeight"), 600):
        page.evaluate("(y) => window.scrollTo(0, y)", y)
        page.wait_for_timeout(30)
    page.wait_for_load_state("networkidle")
    keys = keystrokes(page)
    rows = []
    for r in responses:
        body = r.body() if r.status == 200 else b""
        sizes = r.request.sizes()
        encoded = r.headers.get("content-encoding", "")
        rows.append(
            {
                "url": r.url,
                "kind": kind_of(r.url, r.headers.get("content-type", "")),
                "raw": len(body),
                "wire": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                "gzip": len(body) if r.url.endswith(".png") else len(gzip.compress(body, 6)),
                "encoded": encoded,
            }
        )
    context.close()
    return {
        "ready": ready,
        "ready_ms": ready_ms,
        "api_at_ready": api_at_ready,
        "keys": keys,
        **timing,
        "rows": rows[:first],
        "later": rows[first:],
    }


LISTEN = """() => {
  const bars = document.querySelector("#bars-learning .js-plotly-plot");
  window.__keys = [];
  document.addEventListener("keydown", () => (window.__t0 = performance.now()), true);
  const push = () => window.__keys.push(performance.now() - window.__t0); // in the frame that draws it
  bars.on("plotly_transitioning", () => requestAnimationFrame(push));
}"""


def keystrokes(page, n: int = 8) -> list[float]:
    """Milliseconds from a real arrow key on the epoch slider to the first frame of the bars moving."""
    page.locator("#fig-learning").scroll_into_view_if_needed()
    page.wait_for_selector("#fig-learning[data-state=ready]")
    page.evaluate(LISTEN)
    slider = page.locator("#stepper-epoch input[type=range]")
    slider.focus()
    slider.press("Home")
    page.wait_for_timeout(400)
    page.evaluate("() => (window.__keys = [])")
    for _ in range(n):
        at_end = slider.input_value() == slider.get_attribute("max")
        slider.press("Home" if at_end else "ArrowRight")
        page.wait_for_timeout(400)  # the bars' 260 ms glide, then the next key
    return page.evaluate("() => window.__keys")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_load", description=__doc__)
    parser.add_argument("--bundle", help="bundle directory (default: data/bundle)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--record", action="store_true", help="write the Article section of BENCHMARKS.md")
    parser.add_argument("--note", default="", help="a sentence on the bundle measured, for the record")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server_args = ["--bundle", args.bundle] if args.bundle else []
    with running_server(*server_args, "--no-access-log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        one_load(browser, base + "/")  # warm the server's and the OS's caches, not the browser's
        runs = [one_load(browser, base + "/") for _ in range(args.runs)]
        version = browser.version
        browser.close()

    assert all(r["ready"] == "true" for r in runs), [r["ready"] for r in runs]
    rows = runs[-1]["rows"]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    total_raw = sum(r["raw"] for r in rows)
    total_wire = sum(r["wire"] for r in rows)
    total_gzip = sum(r["gzip"] for r in rows)
    compressed = any(r["encoded"] for r in rows)
    ready = [r["ready_ms"] for r in runs]
    fcp = [r["fcp"] for r in runs if r["fcp"] is not None]
    dcl = [r["dcl"] for r in runs]
    keys = [k for r in runs for k in r["keys"]]

    def kb(n: float) -> str:
        return f"{n / 1000:,.1f}"

    heaviest = sorted(rows, key=lambda r: -r["gzip"])[:3]
    largest = ", ".join(f"/{r['url'].split('/', 3)[-1]} {kb(r['gzip'])} KB" for r in heaviest)

    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"headless Chromium {version}, server and browser on loopback, one uvicorn worker; "
        f"load average {os.getloadavg()[0]:.1f} when it ended (other work on the machine slows both). "
        f"`python -m bench.page_load --runs {args.runs}`"
        + (f" --bundle {args.bundle}" if args.bundle else "")
        + f"; each run a fresh browser context (empty cache). Server compression: "
        f"{'on' if compressed else 'off'}." + (f" {args.note}" if args.note else ""),
        "",
        "| first load | requests | raw KB | on the wire KB | gzip -6 KB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        group = by_kind.get(kind, [])
        if group:
            lines.append(
                f"| {kind} | {len(group)} | {kb(sum(r['raw'] for r in group))} "
                f"| {kb(sum(r['wire'] for r in group))} | {kb(sum(r['gzip'] for r in group))} |"
            )
    lines += [
        f"| **total** | {len(rows)} | {kb(total_raw)} | {kb(total_wire)} | **{kb(total_gzip)}** |",
        "",
        f"Scrolling on to the end of the article then fetches {len(runs[-1]['later'])} more files, "
        f"{kb(sum(r['gzip'] for r in runs[-1]['later']))} KB (the shown image's trajectory strips and "
        "the lab's test-set index and first page, each loaded when its figure comes within a screen).",
        "",
        f"Target: at most 1,000 KB gzip on first load; measured {kb(total_gzip)} KB "
        f"({'met' if total_gzip <= 1_000_000 else 'MISSED'}). "
        f"Largest: {largest}.",
        "",
        "JSON fetched by the time the page is ready (each figure fetches its own when it comes near): "
        + ", ".join(f"`/api/{u}`" for u in runs[-1]["api_at_ready"])
        + ".",
        "",
        "| navigation to | median ms | min ms | max ms |",
        "| --- | ---: | ---: | ---: |",
        f"| first contentful paint | {statistics.median(fcp):.0f} | {min(fcp):.0f} | {max(fcp):.0f} |"
        if fcp
        else "| first contentful paint | n/a | n/a | n/a |",
        f"| DOMContentLoaded | {statistics.median(dcl):.0f} | {min(dcl):.0f} | {max(dcl):.0f} |",
        f"| **first figures interactive** (data-ready) | **{statistics.median(ready):.0f}** "
        f"| {min(ready):.0f} | {max(ready):.0f} |",
        f"| keystroke to bars moving ({len(keys)} keys) | {statistics.median(keys):.0f} "
        f"| {min(keys):.0f} | {max(keys):.0f} |",
        "",
        f"Targets: interactive within 1,000 ms, median {statistics.median(ready):.0f} ms over {len(ready)} "
        f"runs ({'met' if statistics.median(ready) <= 1000 else 'MISSED'}); keystroke to update within "
        f"100 ms, median {statistics.median(keys):.0f} ms "
        f"({'met' if statistics.median(keys) <= 100 else 'MISSED'}).",
        "",
        "*Interactive* is the page's own signal: app.js sets `<html data-ready>` once every figure near "
        "the viewport at load has drawn its first view (Plotly charts, bars, gallery pictures, "
        "summaries, live sliders); `data-ready-ms` is `performance.now()` then, i.e. time since "
        "navigation start. plotly.js (the cartesian build) is fetched once, when the first figure needs "
        "it, and each figure's data when its section comes within a screen.",
    ]
    body = "\n".join(lines)
    print(body)
    if args.record:
        record("Article", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
