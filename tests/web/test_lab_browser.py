"""The lab in real headless Chromium: upload an image, run an attack, scrub the steps, see both models."""

from __future__ import annotations

import io

import pytest
from PIL import Image

pytestmark = pytest.mark.browser


def png_bytes() -> bytes:
    im = Image.new("RGB", (80, 60), (30, 90, 200))
    for x in range(20, 60):
        for y in range(10, 50):
            im.putpixel((x, y), (240, 200, 40))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def open_lab(page):
    errors = []
    # the lab's own errors only (other sections of the page have their own tests), and any refusal by
    # the CSP, which names no file: a chart that styles itself inline is refused silently otherwise
    page.on("pageerror", lambda e: errors.append(str(e)) if "lab.js" in (e.stack or "") else None)

    def console(m) -> None:
        if m.type == "error" and ("lab" in m.text or "Content Security Policy" in m.text):
            errors.append(m.text)

    page.on("console", console)
    page.goto(page.base_url + "/#lab")
    page.wait_for_selector("#lab[data-ready='true']", timeout=15_000)
    return errors


def test_upload_attack_and_scrub_both_models(page):
    errors = open_lab(page)
    page.set_input_files(
        "#lab-file", files=[{"name": "mine.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    assert "mine.png" in page.text_content("#lab-chosen")
    page.fill("#lab-steps", "4")
    page.click("#lab-run")
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    panels = page.locator(".lab-model")
    assert panels.count() == 2
    ids = page.evaluate("fetch('/api/lab').then((r) => r.json()).then((s) => s.default_models)")
    assert [page.get_attribute(f".lab-model >> nth={i}", "data-model") for i in range(2)] == ids
    assert "Step 4 of 4" in page.text_content("#lab-summary")
    assert page.input_value("#lab-seed").isdigit()  # the seed used, ready to reuse
    # scrub with the keyboard on the shared slider: both models follow
    slider = page.locator("#lab-stepper input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    assert "Step 0 of 4" in page.text_content("#lab-summary")
    page.keyboard.press("ArrowRight")
    summary = page.text_content("#lab-summary")
    assert "Step 1 of 4" in summary
    for i in range(2):  # the live summary speaks of both models
        assert page.text_content(f".lab-model >> nth={i} >> h3") in summary
    for i in range(2):  # every model panel drew its pictures and stats
        assert "predicts" in page.text_content(f".lab-model >> nth={i} >> .lab-stats")
        drawn = page.evaluate(
            "(i) => { const c = document.querySelectorAll('.lab-model')[i].querySelectorAll('canvas')[1];"
            " const d = c.getContext('2d').getImageData(0, 0, 32, 32).data;"
            " return d.some((v, k) => k % 4 !== 3 && v > 0); }",
            i,
        )
        assert drawn
    assert not errors, errors
    assert not page.foreign_requests


def test_gallery_attack_on_a_phone_and_errors_are_shown(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    page = context.new_page()
    page.base_url = live_server
    errors = open_lab(page)
    # a link to /#lab lands on the lab, even though the figures above grew the page as they drew
    page.wait_for_function("() => document.documentElement.dataset.ready")
    assert abs(page.evaluate("document.getElementById('lab').getBoundingClientRect().top")) < 40
    page.select_option("#lab-class", "3")
    page.locator("#lab-gallery button").first.tap()
    assert "cat" in page.text_content("#lab-chosen")
    page.fill("#lab-steps", "2")
    page.click("#lab-run")
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    assert page.locator(".lab-model").count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the lab must not scroll sideways on a phone"
    page.fill("#lab-steps", "51")  # the server's 422 reaches the reader as a sentence
    page.click("#lab-run")
    page.wait_for_selector("#lab-status[data-kind='error']", timeout=15_000)
    assert "steps" in page.text_content("#lab-status")
    # a finger paints on the drawing pad, and the page does not scroll instead
    page.locator("#lab-draw summary").tap()
    pad = page.locator(".lab-pad-canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    scroll = page.evaluate("window.scrollY")
    page.touchscreen.tap(box["x"] + box["width"] * 8.5 / 32, box["y"] + box["height"] * 8.5 / 32)
    painted = "Array.from(document.querySelector('.lab-pad-canvas').getContext('2d')"
    painted += ".getImageData(8, 8, 1, 1).data.slice(0, 3))"
    assert page.evaluate(painted) == [0, 0, 0]  # the default colour, black
    assert page.evaluate("window.scrollY") == scroll
    assert page.text_content("#lab-chosen").startswith("Chosen: your drawing")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the drawing pad must not scroll sideways on a phone"
    assert not errors, errors
    context.close()


def test_browse_all_test_images_by_class_page_and_number(page):
    """The browser pages through the whole test set: a class filter, pages, a typed number; the
    attack then runs on exactly the chosen image."""
    errors = open_lab(page)
    testset = page.evaluate("fetch('/api/testset').then((r) => r.json())")
    ships = [p for p in testset["pages"] if p["label"] == 8]
    page.select_option("#lab-class", "8")
    page.wait_for_function("document.querySelector('#lab-page').textContent.startsWith('Page 1 of 10: ship')")
    page.click("#lab-next")
    page.wait_for_function("document.querySelector('#lab-page').textContent.startsWith('Page 2 of')")
    tiles = page.locator("#lab-gallery button")
    assert tiles.count() == len(ships[1]["test_indices"])
    tiles.nth(5).click()
    chosen = ships[1]["test_indices"][5]
    assert page.text_content("#lab-chosen") == f"Chosen: test image {chosen} (ship)."
    assert page.input_value("#lab-index") == str(chosen)
    # keyboard: PageDown turns the page, arrows move within it
    tiles.nth(5).focus()
    page.keyboard.press("PageDown")
    page.wait_for_function("document.querySelector('#lab-page').textContent.startsWith('Page 3 of')")
    # a typed number jumps to its page, whatever the filter
    page.fill("#lab-index", "9999")
    page.press("#lab-index", "Enter")
    last = next(p for p in testset["pages"] if 9999 in p["test_indices"])
    page.wait_for_selector("#lab-gallery button[data-index='9999'][aria-checked='true']")
    assert page.input_value("#lab-class") in ("", str(last["label"]))
    page.fill("#lab-steps", "1")
    with page.expect_response("**/api/lab/attack", timeout=30_000) as response:
        page.click("#lab-run")
    assert response.value.json()["source"] == {"kind": "test", "test_index": 9999, "label": last["label"]}
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    assert not errors, errors
    assert not page.foreign_requests


def test_draw_an_image_with_pointer_and_keyboard_and_attack_it(page):
    errors = open_lab(page)
    page.click("#lab-draw summary")
    pad = page.locator(".lab-pad-canvas")
    box = pad.bounding_box()
    cell = box["width"] / 32
    page.click(".lab-pad-swatch[aria-label='red']")
    # a mouse stroke across the middle row, from pixel column 4 to 27
    y = box["y"] + 16.5 * cell
    page.mouse.move(box["x"] + 4.5 * cell, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 27.5 * cell, y, steps=3)  # few samples: the pad fills the gaps
    page.mouse.up()
    pixel = "([x, y]) => Array.from(document.querySelector('.lab-pad-canvas').getContext('2d')"
    pixel += ".getImageData(x, y, 1, 1).data.slice(0, 3))"
    assert page.evaluate(pixel, [15, 16]) == [214, 40, 40]  # painted, between two pointer samples
    assert page.evaluate(pixel, [15, 2]) == [255, 255, 255]  # untouched
    assert page.text_content("#lab-chosen").startswith("Chosen: your drawing")
    # keyboard: the cursor starts mid-pad; Up twice, then Space paints in the chosen colour
    page.click(".lab-pad-swatch[aria-label='red']")
    page.keyboard.press("ArrowRight")  # the palette is one radio group: arrows move the choice
    assert page.get_attribute(".lab-pad-swatch[aria-label='orange']", "aria-checked") == "true"
    page.click(".lab-pad-swatch[aria-label='blue']")
    pad.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.evaluate(pixel, [16, 14]) == [29, 78, 216]
    page.fill("#lab-steps", "2")
    with page.expect_response("**/api/lab/attack/upload", timeout=30_000) as response:
        page.click("#lab-run")
    assert response.value.status == 200
    assert response.value.json()["source"]["kind"] == "upload"
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    assert not errors, errors


def test_the_lab_loads_its_images_only_when_a_reader_nears_it(page):
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(page.base_url + "/")
    page.wait_for_function("() => document.documentElement.dataset.ready", timeout=20_000)
    assert not [u for u in urls if "/api/testset" in u or u.endswith(".webp") or "/api/lab" in u]
    page.locator("#lab").scroll_into_view_if_needed()
    page.wait_for_selector("#lab[data-ready='true']", timeout=15_000)
    assert any("/api/testset" in u for u in urls) and any(u.endswith(".webp") for u in urls)


def test_the_default_attack_on_a_figure_image_says_it_matches_the_figure(page):
    """The lab opens on the article's first example with the article's attack: running it as it
    is retraces the precomputed figure, and the page says so."""
    errors = open_lab(page)
    page.click("#lab-run")
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    page.wait_for_selector("#lab-status:not([data-kind='busy'])", timeout=30_000)
    assert "is exactly the article's figure for this image" in page.text_content("#lab-status")
    assert not errors, errors


def test_push_toward_a_class_then_back_to_an_untargeted_attack(page):
    errors = open_lab(page)
    page.check("input[name='lab-mode'][value='push']")
    assert page.input_value("#lab-norm") == "L2" and page.input_value("#lab-target") == "0"
    page.select_option("#lab-target", "3")
    page.fill("#lab-steps", "6")
    with page.expect_response("**/api/lab/attack", timeout=30_000) as response:
        page.click("#lab-run")
    sent = response.value.request.post_data_json
    assert sent["mode"] == "push" and sent["target"] == 3 and sent["norm"] == "L2"
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    assert page.locator(".lab-model").count() == 2
    page.wait_for_selector("#lab-status:not([data-kind='busy'])", timeout=30_000)
    assert "6 steps of L2 PGD" in page.text_content("#lab-status")
    # a target the reader chose stays; push mode's forced default would not
    page.check("input[name='lab-mode'][value='attack']")
    assert page.input_value("#lab-target") == "3"
    assert not errors, errors


def inspect_drawn(page) -> dict:
    """What the inspect view shows: per panel, whether each picture has pixels, and each heatmap."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#lab-inspect .lab-model')].map((p) => ({
            id: p.dataset.model,
            pictures: [...p.querySelectorAll('canvas')].map((c) =>
                c.getContext('2d').getImageData(0, 0, 32, 32).data.some((v, k) => k % 4 !== 3 && v > 0)),
            chart: (({ data, layout }) => ({
                type: data[0].type, zmax: data[0].zmax, rows: data[0].z.length,
                x: layout.xaxis.title.text, y: layout.yaxis.title.text,
            }))(p.querySelector('.lab-landscape')),
            name: p.querySelector('.lab-landscape').getAttribute('aria-label'),
        }))"""
    )


def test_inspect_a_test_image_by_keyboard(page):
    """Inspect mode, chosen and run with the keyboard alone: both models' pictures and landscapes appear,
    on one colour scale, and the caption gives the settings the server used."""
    errors = open_lab(page)
    page.focus("input[name='lab-mode'][value='attack']")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # attack -> push -> inspect: one radio group
    assert page.is_checked("input[name='lab-mode'][value='inspect']")
    assert page.is_hidden("#lab-attack-settings") and page.text_content("#lab-run") == "Inspect the image"
    page.focus("#lab-run")
    with page.expect_response("**/api/lab/inspect", timeout=30_000) as response:
        page.keyboard.press("Enter")
    body = response.value.json()
    assert "source" in response.value.request.post_data_json
    page.wait_for_selector("#lab-inspect:not([hidden])", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('#lab-inspect .lab-landscape[data-plotted]').length === 2"
    )
    assert page.is_hidden("#lab-results")
    shown = inspect_drawn(page)
    assert [p["id"] for p in shown] == [m["model_id"] for m in body["models"]]
    top = max(v for m in body["models"] for row in m["loss"] for v in row)
    for p in shown:
        assert p["pictures"] == [True, True, True]  # image, gradient, SmoothGrad
        assert p["chart"]["type"] == "heatmap" and p["chart"]["zmax"] == top  # one scale for both
        assert p["chart"]["rows"] == body["grid"]["points"]
        assert "adversarial" in p["chart"]["x"] and "random" in p["chart"]["y"] and "/255" in p["chart"]["x"]
        assert p["name"].startswith("Loss landscape of")
    caption = page.text_content("#lab-inspect-caption")
    sg, grid = body["smoothgrad"], body["grid"]
    for number in (sg["samples"], sg["seed"], grid["seed"], f"{grid['points']} \u00d7 {grid['points']}"):
        assert str(number) in caption
    page.wait_for_selector("#lab-status:not([data-kind='busy'])", timeout=30_000)
    assert "Done in" in page.text_content("#lab-status")
    assert not errors, errors
    assert not page.foreign_requests


def test_inspect_an_upload_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True)
    page = context.new_page()
    page.base_url = live_server
    errors = open_lab(page)
    page.set_input_files(
        "#lab-file", files=[{"name": "mine.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.locator("input[name='lab-mode'][value='inspect']").tap()
    with page.expect_response("**/api/lab/inspect/upload", timeout=30_000) as response:
        page.locator("#lab-run").tap()
    assert response.value.status == 200
    page.wait_for_selector("#lab-inspect:not([hidden])", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('#lab-inspect .lab-landscape[data-plotted]').length === 2"
    )
    assert all(p["pictures"] == [True, True, True] for p in inspect_drawn(page))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scroll on a phone"
    # back to an attack: the inspect view gives way to the attack's results
    page.locator("input[name='lab-mode'][value='attack']").tap()
    page.fill("#lab-steps", "2")
    page.locator("#lab-run").tap()
    page.wait_for_selector("#lab-results:not([hidden])", timeout=30_000)
    assert page.is_hidden("#lab-inspect")
    assert not errors, errors
    context.close()


def test_push_mode_starts_from_the_paint_figures_attack(page):
    """Push mode's defaults are GET /api/lab's `push` (the paint figure's attack); leaving push mode
    gives the attack's own defaults back."""
    errors = open_lab(page)
    status = page.evaluate("fetch('/api/lab').then((r) => r.json())")
    push = status["push"]
    before = {k: page.input_value(f"#lab-{k}") for k in ("steps", "alpha")}
    page.check("input[name='lab-mode'][value='push']")
    assert float(page.input_value("#lab-eps")) == push["eps"]
    assert int(page.input_value("#lab-steps")) == push["steps"]
    assert float(page.input_value("#lab-alpha")) == push["alpha"]
    assert page.is_checked("#lab-random") == push["random_start"]
    page.check("input[name='lab-mode'][value='attack']")
    assert {k: page.input_value(f"#lab-{k}") for k in ("steps", "alpha")} == before
    assert page.is_checked("#lab-random")
    assert not errors, errors


def test_the_attack_defaults_and_limits_are_read_from_the_api(page):
    """The lab types none of its defaults or limits: the budget, steps and random start are the figures'
    attack from GET /api/lab, the step limit and the upload limit its `limits`."""
    errors = open_lab(page)
    status = page.evaluate("fetch('/api/lab').then((r) => r.json())")
    attack, limits = status["attack"], status["limits"]
    assert float(page.input_value("#lab-eps")) == pytest.approx(attack["eps"], abs=1e-12)
    assert int(page.input_value("#lab-steps")) == attack["steps"]
    assert page.is_checked("#lab-random") == attack["random_start"]
    assert int(page.get_attribute("#lab-steps", "max")) == limits["steps_max"]
    assert page.inner_text("#lab-upload-max") == f"{round(limits['upload_bytes_max'] / 1024)} KB"
    assert not errors, errors
