"""The article in real headless Chromium: every figure by mouse, keyboard and touch; the view in the
URL; numbers equal to the bundle's; nothing fetched from another origin (phones: test_layout_browser)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.web.article_check import COLLECT_JS, Documents, check_span
from tests.web.reader import FIGURES, READY, open_article, params, summary, wait_param

pytestmark = pytest.mark.browser


def rgb(hex_colour: str) -> str:
    """'#1f7a4d' as a browser writes it in a computed style: 'rgb(31, 122, 77)'."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture(scope="module")
def docs(live_server) -> Documents:
    return Documents(live_server)


def test_loads_ready_without_errors_or_foreign_requests(page, docs) -> None:
    errors = open_article(page)
    for fig in FIGURES:
        assert summary(page, fig).strip(), f"{fig} has no text summary"
        assert page.locator(f"#summary-{fig}").get_attribute("aria-live") == "polite"
    # exercise every figure once, then nothing may have left the origin
    page.locator("#picker-learning .thumb").nth(1).click()
    page.locator("#stepper-epoch .stepper-next").click()  # the figures open at the start
    page.locator("#picker-attack .thumb").nth(2).click()
    page.locator("#stepper-step .stepper-play").click()
    page.wait_for_timeout(300)
    page.locator("#stepper-step .stepper-play").click()
    page.locator("#picker-defense .thumb").nth(3).click()
    page.locator("#stepper-defense .stepper-next").click()
    page.locator("#stepper-tradeoff .stepper-prev").click()
    page.locator("#sweep-eps label").first.click()
    page.locator("#chart-training").hover()
    page.locator("#chart-tradeoff").hover()
    page.locator("#chart-sweep").hover()
    page.locator("#chart-steps").hover()
    page.wait_for_timeout(300)
    assert page.foreign_requests == []
    assert errors == []


def test_learning_by_mouse_and_keyboard(page) -> None:
    open_article(page)
    before = summary(page, "learning")
    page.locator("#picker-learning .thumb").nth(3).click()
    wait_param(page, "img", 3)
    assert page.locator("#picker-learning .thumb").nth(3).get_attribute("aria-checked") == "true"
    assert page.locator("#summary-learning").get_attribute("data-img") == "3"
    # keyboard on the image picker: arrow to the next example
    page.keyboard.press("ArrowRight")
    wait_param(page, "img", 4)
    # keyboard on the epoch slider: Home is the first epoch, End the last
    slider = page.locator("#stepper-epoch input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    first = slider.get_attribute("min")
    first_epoch = page.locator("#summary-learning").get_attribute("data-epoch")
    page.keyboard.press("End")
    last_epoch = page.locator("#summary-learning").get_attribute("data-epoch")
    assert int(last_epoch) > int(first_epoch), (first, first_epoch, last_epoch)
    wait_param(page, "epoch", last_epoch)
    page.keyboard.press("ArrowLeft")
    assert int(page.locator("#summary-learning").get_attribute("data-epoch")) < int(last_epoch)
    assert summary(page, "learning") != before
    # the prob bars moved: the selected example's true class is marked, on one bar
    true = page.get_attribute("#bars-learning .probbars", "data-true")
    assert true != "" and page.locator("#bars-learning .bartext", has_text="(true)").count() == 1


def test_learning_follows_the_pointer_over_the_chart(page) -> None:
    open_article(page)
    page.locator("#chart-training").scroll_into_view_if_needed()
    box = page.locator("#chart-training .nsewdrag").first.bounding_box()  # Plotly's plot area
    assert box
    epochs = set()
    for fx in (0.02, 0.98):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] / 2)
        page.wait_for_timeout(150)
        epochs.add(page.locator("#summary-learning").get_attribute("data-epoch"))
    assert len(epochs) == 2, "hovering the chart's two ends should select two different epochs"


def test_attack_steps_by_keyboard_buttons_and_gallery(page, docs) -> None:
    open_article(page)
    page.locator("#picker-attack .thumb").nth(5).click()
    wait_param(page, "atk", 5)
    slider = page.locator("#stepper-step input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    wait_param(page, "step", 0)
    assert page.locator("#summary-attack").get_attribute("data-step") == "0"
    text0 = summary(page, "attack")
    page.locator("#stepper-step .stepper-next").click()
    wait_param(page, "step", 1)
    assert summary(page, "attack") != text0
    page.keyboard.press("End")  # focus stays on the group; End still works from the buttons
    steps = docs.get("trajectories/5")["attack"]["steps"]
    wait_param(page, "step", steps)
    # the adversarial image and the perturbation were drawn (not blank) once their sheets arrived
    page.wait_for_function(
        """() => ["attack-adv", "attack-delta", "attack-clean"].every((id) => {
            const c = document.getElementById(id);
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
            return false; })""",
        timeout=10_000,
    )
    link = page.locator("#traj-download")
    assert link.get_attribute("href").endswith("/api/trajectories/5")
    assert link.get_attribute("download")


def test_defense_one_slider_drives_both_models(page) -> None:
    open_article(page)
    page.locator("#picker-defense .thumb").nth(2).click()
    wait_param(page, "cmp", 2)
    assert page.locator("#versus .side").count() >= 2
    slider = page.locator("#stepper-defense input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    wait_param(page, "cstep", 0)
    assert page.locator("#summary-defense").get_attribute("data-step") == "0"
    page.keyboard.press("End")
    wait_param(page, "cstep", slider.get_attribute("max"))
    assert page.locator("#summary-defense").get_attribute("data-step") == slider.get_attribute("max")
    # both sides show the record of that step, for their own model
    losses = page.evaluate(
        "() => [...document.querySelectorAll('#versus .side [data-src$=\".loss\"]')]"
        ".map((e) => e.dataset.src)"
    )
    assert len(losses) == 2 and all(f"steps[{slider.get_attribute('max')}]" in s for s in losses)
    assert losses[0] != losses[1]


def test_tradeoff_and_sweep_controls(page, docs) -> None:
    open_article(page)
    slider = page.locator("#stepper-tradeoff input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    first = docs.get("training")["models"][0]["epochs"][0]["epoch"]
    wait_param(page, "tepoch", first)
    radios = page.locator("#sweep-eps input[type=radio]")
    assert radios.count() == len(docs.get("sweep")["test_eps"]) - 1
    before = summary(page, "sweep")
    nonzero = [round(e * 255) for e in docs.get("sweep")["test_eps"] if e > 0]
    radios.first.check()
    wait_param(page, "eps", nonzero[0])
    assert page.locator("#summary-sweep").get_attribute("data-eps") == str(nonzero[0])
    assert summary(page, "sweep") != before or params(page)["eps"] != before
    # keyboard: an arrow moves the choice within the radio group
    radios.first.focus()
    page.keyboard.press("ArrowRight")
    wait_param(page, "eps", nonzero[1])


def test_view_is_restored_from_the_url(page, docs) -> None:
    open_article(page, "?img=2&epoch=1&atk=7&step=1&cmp=4&cstep=2&tepoch=1")
    assert page.locator("#picker-learning .thumb").nth(2).get_attribute("aria-checked") == "true"
    assert page.locator("#summary-learning").get_attribute("data-epoch") == "1"
    assert page.locator("#picker-attack .thumb").nth(7).get_attribute("aria-checked") == "true"
    assert page.locator("#summary-attack").get_attribute("data-step") == "1"
    assert page.locator("#summary-defense").get_attribute("data-img") == "4"
    assert page.locator("#summary-defense").get_attribute("data-step") == "2"
    assert page.locator("#stepper-step input[type=range]").input_value() == "1"


@pytest.mark.parametrize(
    "query",
    [
        "?img=999&epoch=-5&step=abc&atk=100000000&cmp=-1&cstep=1e9&eps=%3Cscript%3E&tepoch=",
        "?img=%20&epoch=3.5&step=&atk=NaN&eps=999999",
    ],
)
def test_bad_view_params_are_clamped(page, query: str) -> None:
    errors = open_article(page, query)
    n_ex = page.locator("#picker-learning .thumb").count()
    img = int(page.locator("#summary-learning").get_attribute("data-img"))
    assert 0 <= img < n_ex
    step_max = int(page.locator("#stepper-step input[type=range]").get_attribute("max"))
    assert 0 <= int(page.locator("#summary-attack").get_attribute("data-step")) <= step_max
    assert int(page.locator("#summary-attack").get_attribute("data-img")) >= 0
    assert errors == []


def test_every_number_matches_the_bundle(page, docs) -> None:
    open_article(page, "?img=1&atk=3&step=2&cmp=1&cstep=3")
    page.locator("#sweep-eps input[type=radio]").first.check()
    page.wait_for_timeout(200)
    found = page.evaluate(COLLECT_JS)
    assert len(found["spans"]) > 50
    problems = [p for s in found["spans"] if (p := check_span(docs.get, s))]
    assert not problems, "\n".join(problems)
    query = {k: v[0] for k, v in parse_qs(found["query"].lstrip("?")).items()}
    for v in found["views"]:
        assert query.get(v["param"]) == v["text"].strip(), v
    stray = "\n".join(found["stray"])
    assert not stray, f"numbers typed into the page instead of read from the bundle:\n{stray}"


def test_reduced_motion_turns_animation_off(browser, live_server) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.base_url = live_server
    try:
        open_article(page)
        bars = "document.querySelectorAll('#bars-learning .point path')"
        widths = f"() => [...{bars}].map((p) => p.getBBox().width)"
        before = page.evaluate(widths)
        page.locator("#stepper-epoch .stepper-next").click()
        page.wait_for_timeout(40)  # an animated bar would still be on its way (260 ms)
        at_once = page.evaluate(widths)
        assert at_once != before, "the step changed nothing"
        page.wait_for_timeout(600)
        assert page.evaluate(widths) == at_once
        # and the colours followed at once: exactly one bar is the true class's
        meta = page.evaluate("() => document.querySelector('#bars-learning .js-plotly-plot').layout.meta")
        colours = page.evaluate(f"() => [...{bars}].map((p) => p.style.fill)")
        assert sum(c == rgb(meta["right"]) for c in colours) == 1
    finally:
        context.close()


def test_download_links_serve_the_figures_data(page) -> None:
    open_article(page)
    links = page.evaluate(
        "() => [...document.querySelectorAll('a.download')].map((a) => [a.getAttribute('href'), a.download])"
    )
    assert len(links) >= 6
    for href, name in links:
        assert href.startswith("/api/") and name, (href, name)
        r = page.request.get(page.base_url + href)
        assert r.status == 200, href
        assert isinstance(r.json(), dict), href  # a static host may not call it application/json


def test_provenance_line_is_shown(page, docs) -> None:
    open_article(page)
    preset = docs.get("run")["preset"]
    line = page.locator("#provline")
    assert line.is_visible() and page.locator("#preset-banner").count() == 0
    assert preset in line.inner_text() and "minutes" in line.inner_text()
    assert page.locator("#prov-preset").inner_text() == preset


def test_figures_load_only_when_their_section_is_near(page) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.removeprefix(page.base_url)))
    page.goto(page.base_url + "/")
    page.wait_for_function(READY, timeout=20_000)
    assert page.get_attribute("#fig-opening", "data-state") == "ready"  # within a screen at load
    assert not [u for u in fetched if u in ("/api/sweep", "/api/figures/sweep", "/api/figures/tradeoff")]
    page.locator("#fig-sweep").scroll_into_view_if_needed()
    page.wait_for_selector("#fig-sweep[data-state=ready]", timeout=20_000)
    assert "/api/sweep" in fetched and "/api/figures/sweep" in fetched


def test_sweep_legend_hides_a_model_and_the_points_follow_the_budget(page, docs) -> None:
    open_article(page)
    visible = "() => document.getElementById('chart-sweep').data.map((t) => t.visible ?? true)"
    assert all(v is True for v in page.evaluate(visible))
    page.locator("#chart-sweep .legend .traces").nth(1).click()
    page.wait_for_function("() => document.getElementById('chart-sweep').data[1].visible === 'legendonly'")
    sweep = docs.get("sweep")
    ti = next(i for i, e in enumerate(sweep["test_eps"]) if e > 0)
    page.locator("#sweep-eps input[type=radio]").first.check()
    rows = sorted(sweep["rows"], key=lambda r: r["train_eps"])
    want = [pytest.approx(100 * r["accuracies"][ti]["value"]) for r in rows]
    page.wait_for_timeout(700)  # the points glide for 450 ms
    got = page.evaluate(
        "() => document.getElementById('chart-sweep').data"
        ".filter((t) => t.showlegend !== false).map((t) => t.y[0])"
    )
    assert got == want


def test_chart_downloads_as_png(page) -> None:
    open_article(page)
    chart = page.locator("#chart-training")
    chart.hover()
    with page.expect_download() as info:
        chart.locator(".modebar-btn").first.click()
    assert info.value.suggested_filename == "robustness-tour-learning.png"


def test_racing_bars_rank_the_classes_by_probability(page, docs) -> None:
    open_article(page, "?img=2&epoch=1")
    probs = docs.get("epoch-probs")
    history = next(h for h in docs.get("training")["models"] if h["model"]["train_eps"] == 0)
    series = probs["probs"][history["model"]["id"]]
    k = len(series) - len(history["epochs"])  # epoch 1: after the untrained network's entry, if any
    p = series[k][2]
    ranks = page.evaluate("() => document.querySelector('#bars-learning .js-plotly-plot').data[0].y")
    order = sorted(range(len(p)), key=lambda c: (-p[c], c))
    assert [ranks[c] for c in order] == list(range(len(p)))


def test_falls_table_links_switch_the_attack_view_in_place(page) -> None:
    open_article(page, "?img=3")
    link = page.locator("#falls-table .example-link").nth(4)
    pos = link.get_attribute("data-pos")
    link.click()
    wait_param(page, "atk", pos)
    assert params(page)["img"] == "3", "the other figures keep their choices"
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert page.locator("#picker-attack .thumb").nth(int(pos)).get_attribute("aria-checked") == "true"


def test_citations_link_to_references_and_preview_them(page) -> None:
    open_article(page)
    cite = page.locator("a.cite").first
    target = cite.get_attribute("href")
    assert page.locator(target).count() == 1
    cite.hover()
    tip = page.locator("#cite-preview")
    assert tip.is_visible() and tip.inner_text() == page.locator(target).inner_text().strip()
    page.mouse.move(0, 0)
    tip.wait_for(state="hidden", timeout=2_000)  # after a short delay, so the pointer can reach it
    cite.focus()
    assert tip.is_visible() and cite.get_attribute("aria-describedby") == "cite-preview"


def test_figures_are_numbered_and_the_subtitle_holds_for_the_data(page, docs) -> None:
    open_article(page)
    numbers = page.locator("figure.figure figcaption .fignum").all_inner_texts()
    assert numbers == [f"Figure {i}." for i in range(1, page.locator("figure.figure").count() + 1)]
    assert len(numbers) >= 7
    # "see a <class> as a <class>" only when the attack does turn the opening example into another class
    spans = page.locator(".subtitle [data-src^='gallery.classes']")
    traj = docs.get(f"trajectories/{page.get_attribute('body', 'data-opening')}")["image"]
    final = traj["trajectories"][0]["steps"][-1]["pred"]  # the figures' models, regular first
    classes = docs.get("gallery")["classes"]
    if final == traj["label"]:
        assert spans.count() == 0
    else:
        assert spans.all_inner_texts() == [classes[traj["label"]], classes[final]]


def test_step_slider_keeps_its_length_and_play_is_drawn(page) -> None:
    open_article(page)
    track = page.locator("#stepper-step input[type=range]")
    widths = set()
    for key in ("Home", "ArrowRight", "End"):
        track.press(key)
        widths.add(round(track.bounding_box()["width"]))
    assert len(widths) == 1, f"the track changed length: {widths}"
    play = page.locator("#stepper-step .stepper-play")
    assert play.locator("svg path").count() == 1
    play.click()
    assert play.locator("svg rect").count() == 2  # the pause icon
    play.click()


def test_steps_chart_by_keyboard_and_the_opening_and_grid_summaries(page, docs) -> None:
    open_article(page)
    slider = page.locator("#stepper-steps input[type=range]")
    slider.focus()
    slider.press("Home")
    models = docs.get("evaluation")["models"]
    wait_param(page, "ksteps", models[0]["steps_curve"][0]["steps"])
    slider.press("End")
    wait_param(page, "ksteps", max(p["steps"] for m in models for p in m["steps_curve"]))
    # the opening figure names each model's final answer on the opening example
    opening = docs.get(f"trajectories/{page.get_attribute('body', 'data-opening')}")["image"]
    classes = docs.get("gallery")["classes"]
    text = summary(page, "opening")
    for t in opening["trajectories"][:2]:
        assert f"says {classes[t['steps'][-1]['pred']]}" in text
    # the grid's summary names the highest measured accuracy at the opening test budget
    assert "highest measured accuracy" in summary(page, "sweep-grid")
