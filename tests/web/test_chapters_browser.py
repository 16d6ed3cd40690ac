"""The chapters beyond the seed in real Chromium: gradients, painting, the two loss landscapes, by
keyboard, pointer and touch, each summary's numbers equal to the bundle's."""

from __future__ import annotations

import pytest

from tests.web.article_check import COLLECT_JS, Documents, check_span
from tests.web.reader import open_article, params, phone, summary, wait_param

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def docs(live_server) -> Documents:
    return Documents(live_server)


def numbers_match(page, docs) -> None:
    """Every number on the page, the summaries just rewritten included, equals the bundle's."""
    found = page.evaluate(COLLECT_JS)
    problems = [p for s in found["spans"] if (p := check_span(docs.get, s))]
    assert not problems, "\n".join(problems)
    assert not found["stray"], found["stray"]


def test_gradients_follow_the_picked_image_by_keyboard(page, docs) -> None:
    open_article(page)
    thumbs = page.locator("#picker-saliency .thumb")
    assert thumbs.count() == len(docs.get("gallery")["images"])
    thumbs.nth(0).click()
    wait_param(page, "grad", 0)
    page.keyboard.press("ArrowRight")
    wait_param(page, "grad", 1)
    page.keyboard.press("End")
    wait_param(page, "grad", thumbs.count() - 1)
    assert page.locator("#summary-saliency").get_attribute("data-grad") == str(thumbs.count() - 1)
    # the four gradient pictures are drawn (not blank) and differ between the models
    pixels = page.evaluate(
        """() => ['regular-gradient', 'robust-gradient'].map((k) => {
             const c = document.getElementById('saliency-' + k);
             return Array.from(c.getContext('2d').getImageData(0, 0, 32, 32).data).join(',');
           })"""
    )
    assert pixels[0] != pixels[1] and len(set(pixels[0].split(","))) > 10
    assert page.locator("#chart-saliency .bars .point").count() == 4  # 2 models x 2 kinds


def test_paint_by_menus_slider_and_a_click_on_a_sheet(page, docs) -> None:
    open_article(page)
    paint = docs.get("paint")
    page.select_option("#paint-start", "2")
    page.select_option("#paint-target", "7")
    wait_param(page, "ptarget", 7)
    assert params(page)["pstart"] == "2"
    slider = page.locator("#stepper-paint input[type=range]")
    slider.focus()
    slider.press("Home")
    wait_param(page, "pstep", 0)
    text = summary(page, "paint")
    assert f"toward {docs.get('gallery')['classes'][7]}" in text
    assert page.locator("#summary-paint").get_attribute("data-cell") == "2,7,0"
    slider.press("End")
    wait_param(page, "pstep", len(paint["snapshots"]) - 1)
    # a click on the robust sheet picks the cell under the pointer: row 0, column 3
    page.locator("#paint-robust").scroll_into_view_if_needed()
    box = page.locator("#paint-robust").bounding_box()
    rows = len(paint["starts"])
    page.mouse.click(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * (0.5 / rows))
    wait_param(page, "ptarget", 3)
    assert params(page)["pstart"] == "0"
    # the chart follows the chosen cell: its lines are that cell's probabilities of the target
    ys = page.evaluate("() => document.getElementById('chart-paint').data.map((t) => t.y)")
    assert ys == [paint["target_probs"][m][0][3] for m in paint["model_ids"]]
    numbers_match(page, docs)


def test_input_landscape_moves_between_examples(page, docs) -> None:
    open_article(page)
    land = docs.get("input-landscape")
    page.locator("#picker-input-landscape .thumb").nth(0).click()
    wait_param(page, "land", 0)
    page.keyboard.press("ArrowRight")
    wait_param(page, "land", 1)
    page.wait_for_timeout(500)
    z = page.evaluate("() => document.getElementById('chart-input-landscape').data[0].z")
    loss = land["images"][1]["loss"][land["model_ids"][0]]
    assert z[0][1] == pytest.approx(loss[1][0])  # z[random][adversarial]
    assert "Robust model: loss" in summary(page, "input-landscape")
    numbers_match(page, docs)


def test_weight_landscape_draws_both_models_on_one_axis(page, docs) -> None:
    open_article(page)
    weights = docs.get("weight-landscape")
    types = page.evaluate("() => document.getElementById('chart-weight-landscape').data.map((t) => t.type)")
    lines = types.count("scatter")
    assert lines == len(weights["models"])
    text = summary(page, "weight-landscape")
    assert text.count("at the trained weights") == len(weights["models"])


def test_chapters_by_touch_on_a_phone(browser, live_server) -> None:
    with phone(browser, live_server, device_scale_factor=2) as page:
        errors = open_article(page)
        page.locator("#picker-saliency .thumb").nth(5).tap()
        wait_param(page, "grad", 5)
        page.locator("#picker-input-landscape .thumb").nth(3).tap()
        wait_param(page, "land", 3)
        page.locator("#stepper-paint .stepper-prev").tap()
        page.locator("#paint-regular").scroll_into_view_if_needed()
        box = page.locator("#paint-regular").bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.02)
        wait_param(page, "ptarget", 9)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, "the chapters fit a phone without horizontal scroll"
        assert errors == []


def test_capacity_table_chart_and_hover(page, docs) -> None:
    open_article(page)
    capacity = docs.get("capacity")
    assert page.locator("#capacity-table tbody tr").count() == len(capacity["models"])
    text = summary(page, "capacity")
    assert text.startswith("Adversarially trained, accuracy under PGD")
    assert text.count("parameters") == sum(m["kind"] == "adversarial" for m in capacity["models"])
    # hovering a point names that model (the chart's hover reaches the summary)
    chart = page.locator("#chart-capacity")
    chart.scroll_into_view_if_needed()
    point = chart.locator(".scatterlayer .trace .points path").first
    point.hover(force=True)
    page.wait_for_function("() => document.getElementById('summary-capacity').dataset.model", timeout=5_000)
    assert "clean" in summary(page, "capacity")
    numbers_match(page, docs)
