"""Every figure reads at phone (390 x 844, touch) and desktop (1280 x 800) width, in real Chromium.

Layout bugs are silent: a tick label under a title, a y-axis title pushed past the SVG's edge, a card
row wider than its card. These tests measure the drawn boxes instead of trusting the layout code:
no two visible texts of a chart overlap, no text leaves its chart or card, nothing scrolls sideways;
and every figure that redraws in place draws something else when its data changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.reader import READY, draw_all, open_article, phone, wait_param

pytestmark = pytest.mark.browser

SIZES = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 800}}

# Boxes of a figure's visible texts, per chart, and the box each must stay inside. SVG text outside
# its <svg> is cut off by the SVG, and text past a card's border spills out of it: both are checked
# by containment, with a pixel of tolerance for anti-aliasing.
MEASURE_JS = """
(root) => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || !e.textContent.trim()) return false;
    for (let n = e; n && n !== root; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  const charts = [...root.querySelectorAll(".js-plotly-plot")].map((plot) => ({
    id: plot.id,
    frame: box(plot),
    texts: [...plot.querySelectorAll("svg text")]
      .filter((t) => !t.closest(".hoverlayer, .modebar") && shown(t))
      .map((t) => ({ text: t.textContent.trim().slice(0, 40), box: box(t) })),
  }));
  return { frame: box(root), charts };
}
"""

# Blocks whose text must stay inside their own border (or scroll inside it, where they say so).
SPILL_JS = """
() => [...document.querySelectorAll(".card, .math, .figure, .summary, .fig-side")].flatMap((el) => {
  const s = getComputedStyle(el);
  if (["auto", "scroll"].includes(s.overflowX) || el.getClientRects().length === 0) return [];
  const r = el.getBoundingClientRect();
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest("svg, [hidden]")) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const t of range.getClientRects()) {
      if (t.width && (t.left < r.left - 1 || t.right > r.right + 1))
        out.push(`${el.id || el.className}: "${n.textContent.trim().slice(0, 30)}"`);
    }
  }
  return out.slice(0, 1);
})
"""


def overlap(a: list[float], b: list[float], tol: float = 1.0) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def inside(a: list[float], frame: list[float], tol: float = 1.0) -> bool:
    return all(a[i] >= frame[i] - tol for i in (0, 1)) and all(a[i] <= frame[i] + tol for i in (2, 3))


def text_problems(measured: dict) -> list[str]:
    """Overlapping or clipped texts in one figure, named for the failure message."""
    problems: list[str] = []
    for chart in measured["charts"]:
        texts = chart["texts"]
        for i, t in enumerate(texts):
            if not inside(t["box"], chart["frame"]):
                problems.append(f"{chart['id']}: {t['text']!r} is clipped by its chart")
            elif not inside(t["box"], measured["frame"]):
                problems.append(f"{chart['id']}: {t['text']!r} leaves its figure")
            for u in texts[i + 1 :]:
                if overlap(t["box"], u["box"]):
                    problems.append(f"{chart['id']}: {t['text']!r} overlaps {u['text']!r}")
    return problems


@pytest.fixture(scope="module", params=sorted(SIZES))
def article(request, browser, live_server) -> Iterator:
    """The article drawn at one width (the phone one by touch), shared by the checks below."""
    width = request.param
    phone = width < 600
    context = browser.new_context(
        viewport=SIZES[width], is_mobile=phone, has_touch=phone, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(live_server + "/")
    page.wait_for_function(READY, timeout=30_000)
    draw_all(page)
    page.width = width
    yield page
    context.close()


def test_no_chart_text_overlaps_or_is_clipped(article) -> None:
    problems: list[str] = []
    for figure in article.locator("figure[id^=fig-]").all():
        figure.scroll_into_view_if_needed()
        article.wait_for_timeout(100)
        found = text_problems(figure.evaluate(MEASURE_JS))
        problems += [f"{figure.get_attribute('id')} at {article.width}px: {p}" for p in found]
    assert not problems, "\n".join(problems)


def test_no_block_text_spills_out_of_its_box(article) -> None:
    spilled = article.evaluate(SPILL_JS)
    assert not spilled, "\n".join(spilled)


def test_nothing_scrolls_sideways(article) -> None:
    assert article.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")


def test_formulas_fit_their_box(article) -> None:
    """A formula that scrolls in its box reads as cut off: the widest one must fit a phone."""
    widths = article.evaluate(
        "() => [...document.querySelectorAll('.math')].map((m) => m.scrollWidth - m.clientWidth)"
    )
    assert max(widths) <= 1, widths


def test_defense_slider_and_both_models_fit_one_screen(article) -> None:
    """One slider drives both models: a reader must see it and the second model's bars together."""
    slider = article.locator("#stepper-defense").bounding_box()
    bars = article.locator("#versus .bars").last.bounding_box()
    assert slider and bars
    top, bottom = min(bars["y"], slider["y"]), max(bars["y"] + bars["height"], slider["y"] + slider["height"])
    assert bottom - top <= 844, f"slider and bars span {bottom - top:.0f} px"


def test_small_charts_have_no_mode_bar(article) -> None:
    """A mode bar over a 200-px chart hides its data; the large charts keep their PNG download."""
    for chart in article.locator(".chart-small, .chart-loss").all():
        chart.scroll_into_view_if_needed()
        chart.hover()
        assert chart.locator(".modebar-btn").count() == 0, chart.get_attribute("id")


def test_a_tap_on_the_learning_chart_picks_an_epoch(browser, live_server) -> None:
    context = browser.new_context(viewport=SIZES[390], is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.wait_for_function(READY, timeout=30_000)
        page.locator("#fig-learning").scroll_into_view_if_needed()
        page.wait_for_selector("#chart-training[data-plotted]", timeout=20_000)
        area = page.locator("#chart-training .nsewdrag").first.bounding_box()
        assert area
        seen = set()
        for fx in (0.05, 0.95):
            page.touchscreen.tap(area["x"] + area["width"] * fx, area["y"] + area["height"] / 2)
            page.wait_for_timeout(300)
            seen.add(page.get_attribute("#summary-learning", "data-epoch"))
        assert len(seen) == 2, f"taps at the chart's two ends picked {seen}"
    finally:
        context.close()


# (figure, chart, how to choose other data): every figure whose chart redraws in place
IN_PLACE = [
    ("input-landscape", "#chart-input-landscape", "#picker-input-landscape .thumb >> nth=3"),
    ("learning", "#chart-training", "#stepper-epoch .stepper-next"),
    ("attack", "#loss-attack", "#picker-attack .thumb >> nth=4"),
    ("tradeoff", "#chart-tradeoff", "#stepper-tradeoff .stepper-prev"),
    ("sweep", "#chart-sweep", "#sweep-eps label >> nth=0"),
    ("steps", "#chart-steps", "#stepper-steps .stepper-prev"),
]


@pytest.mark.parametrize(("fig", "chart", "control"), IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_in_place_updates_redraw_the_chart(page, fig: str, chart: str, control: str) -> None:
    """Choosing other data must change the pixels, not just the summary beside them (with motion on:
    an animated update is where a heatmap used to keep its old colours)."""
    page.goto(page.base_url + "/")
    page.wait_for_function(READY, timeout=30_000)
    page.locator(f"#fig-{fig}").scroll_into_view_if_needed()
    page.wait_for_selector(f"#fig-{fig}[data-state=ready]", timeout=20_000)
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    before = page.locator(chart).screenshot()
    text = page.locator(f"#summary-{fig}").inner_html()
    page.locator(control).first.click()
    page.mouse.move(0, 0)  # no hover label in the picture
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).innerHTML !== t", arg=[f"#summary-{fig}", text], timeout=5_000
    )
    page.wait_for_timeout(800)
    assert page.locator(chart).screenshot() != before, f"{fig}: the summary changed but the chart did not"


def test_input_landscape_heatmaps_show_the_chosen_example(page) -> None:
    """Each panel's drawn cells must be the chosen example's losses, whichever example came before."""
    page.goto(page.base_url + "/")
    page.wait_for_function(READY, timeout=30_000)
    page.locator("#fig-input-landscape").scroll_into_view_if_needed()
    page.wait_for_selector("#fig-input-landscape[data-state=ready]", timeout=20_000)
    drawn = "() => [...document.querySelectorAll('#chart-input-landscape .hm image')].map((i) => i.outerHTML)"
    seen = [page.evaluate(drawn)]
    for nth in (3, 1, 3):
        page.locator("#picker-input-landscape .thumb").nth(nth).click()
        page.wait_for_timeout(600)
        seen.append(page.evaluate(drawn))
    assert seen[1] != seen[0] and seen[2] != seen[1], "the heatmaps did not follow the picker"
    assert seen[3] == seen[1], "the same example must draw the same heatmaps"


def test_paint_chart_follows_the_chosen_push(page) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(page.base_url + "/")
    page.wait_for_function(READY, timeout=30_000)
    page.locator("#fig-paint").scroll_into_view_if_needed()
    page.wait_for_selector("#fig-paint[data-state=ready]", timeout=20_000)
    page.wait_for_timeout(500)
    before = page.locator("#chart-paint").screenshot()
    options = page.locator("#paint-target option").all()
    current = page.locator("#paint-target").input_value()
    other = next(o.get_attribute("value") for o in options if o.get_attribute("value") != current)
    page.locator("#paint-target").select_option(other)
    page.wait_for_timeout(800)
    assert page.locator("#chart-paint").screenshot() != before


def test_touch_taps_on_a_phone(browser, live_server) -> None:
    with phone(browser, live_server, device_scale_factor=2) as page:
        errors = open_article(page)
        page.locator("#picker-learning .thumb").nth(4).tap()
        wait_param(page, "img", 4)
        page.locator("#picker-attack .thumb").nth(6).tap()
        wait_param(page, "atk", 6)
        page.locator("#stepper-step .stepper-next").tap()  # the attack opens at its random start
        assert page.locator("#summary-attack").get_attribute("data-step") != str(
            page.locator("#stepper-step input[type=range]").get_attribute("min")
        )
        page.locator("#stepper-defense .stepper-next").tap()
        assert errors == []


def test_narrow_screen_is_one_column_without_horizontal_scroll(browser, live_server) -> None:
    with phone(browser, live_server) as page:
        open_article(page)
        page.wait_for_timeout(300)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"horizontal scroll: content {width[0]} px in a {width[1]} px window"
        chart = page.locator("#chart-training").bounding_box()
        side = page.locator("#picker-learning").bounding_box()
        assert side["y"] >= chart["y"] + chart["height"] - 1, "picker should sit below the chart"
        left = page.locator("#versus .side").nth(0).bounding_box()
        right = page.locator("#versus .side").nth(1).bounding_box()
        assert right["y"] >= left["y"] + left["height"] - 1, "the two models should stack"
        for sel in (".figure", ".prose", "table"):
            for box in page.evaluate(
                "(s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect().right)", sel
            ):
                assert box <= 391, f"{sel} sticks out: right edge {box}"


def test_phone_gallery_has_44px_targets_and_shows_all_on_request(browser, live_server) -> None:
    with phone(browser, live_server) as page:
        open_article(page)
        thumbs = page.locator("#picker-attack .thumb")
        shown = [t for t in thumbs.all() if t.is_visible()]
        assert 0 < len(shown) < thumbs.count()
        assert min(t.bounding_box()["width"] for t in shown) >= 44
        page.locator("#picker-attack + .gallery-more").tap()
        assert all(t.is_visible() for t in thumbs.all())
