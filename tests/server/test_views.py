"""The article's view-models (server/views/) and their rendering, without a browser."""

from __future__ import annotations

import dataclasses
import html as markup
import json
import re

import pytest
from fastapi.testclient import TestClient

from server.config import Settings
from server.main import create_app
from server.views.captions import measurement_caption
from server.views.formulas import mathml
from server.views.numbers import FORMATS, Num, format_as
from server.views.page import build_page
from tests.web.article_check import resolve
from tour import schema


@pytest.fixture(scope="module")
def app():
    return create_app(Settings())


@pytest.fixture(scope="module")
def store(app):
    return app.state.store


def getter(store):
    def get(name: str):
        if name.startswith("trajectories/"):
            return json.loads(store.trajectories[int(name.split("/")[1])].body)
        return json.loads(store.documents[name].body)

    return get


def nums(obj, seen=None):
    """Every Num reachable from the view-model."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Num):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from nums(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from nums(v, seen)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from nums(v, seen)


def test_formats() -> None:
    assert format_as(0.9164, "pct") == "91.6\u00a0%"
    assert format_as(0.05, "pct", 0) == "5\u00a0%"
    assert format_as(0.3125, "pct") == "31.3\u00a0%"  # a tie rounds away from 0, like toFixed
    assert format_as(0.0625, "fixed", 3) == "0.063"
    assert format_as(8 / 255, "eps255") == "8/255"
    assert format_as(0, "eps255") == "0"
    assert format_as(0.5 / 255, "eps255") == "0.50/255"
    assert format_as(0.41234, "fixed") == "0.412"
    assert format_as(11_173_962, "count") == "11,173,962"
    with pytest.raises(ValueError):
        format_as(1, "nope")


def test_the_page_hands_its_script_the_one_table_of_formats(app, store) -> None:
    """format.js formats with the table the server printed with, read from <html>; every format a
    number of the view-model uses is in it."""
    found = re.search(r'<html[^>]* data-number-formats="([^"]*)"', TestClient(app).get("/").text)
    assert found and json.loads(markup.unescape(found.group(1))) == FORMATS
    assert {n.fmt for n in nums(build_page(store))} <= set(FORMATS)
    assert format_as(11_173_962, "millions") == "11.17\u00a0M"


def test_num_renders_a_checkable_span() -> None:
    html = Num(0.916, "pct", 'evaluation.models[0].results[1].accuracy"<x>').__html__()
    assert html.startswith(
        '<span class="num" data-src="evaluation.models[0].results[1].accuracy&quot;&lt;x&gt;"'
    )
    assert 'data-fmt="pct"' in html and 'data-value="0.916"' in html
    assert html.endswith(">91.6\u00a0%</span>")


def test_every_number_of_the_view_model_is_in_the_bundle(store) -> None:
    page = build_page(store)
    found = list(nums(page))
    assert len(found) > 30
    get = getter(store)
    for n in found:
        truth = resolve(get, n.src)
        assert float(truth) == pytest.approx(n.value, rel=1e-12, abs=1e-15), n.src


def test_headline_numbers_use_the_articles_attack(store) -> None:
    page = build_page(store)
    assert page.regular.clean is not None and page.regular.attacked is not None
    assert "PGD" in page.regular.attacked.name
    if page.robust:
        assert page.robust.attacked is not None
    assert "random start" in page.attack_caption and "ε = " in page.attack_caption


def test_measurement_caption_says_how() -> None:
    attack = schema.AttackSpec(
        name="PGD", norm="Linf", eps=8 / 255, alpha=2 / 255, steps=10, random_start=True, seed=3
    )
    m = schema.Measurement(split="test", first_index=0, n_images=1000, attack=attack)
    text = re.sub(r"<[^>]+>", "", measurement_caption(m, "x"))
    assert text == (
        "the first 1,000 CIFAR-10 test images; "
        "PGD, L∞, ε = 8/255, step size 2/255, 10 steps, random start, seed 3"
    )
    clean = schema.Measurement(split="test", first_index=500, n_images=20)
    assert re.sub(r"<[^>]+>", "", measurement_caption(clean, "y")) == (
        "20 CIFAR-10 test images from index 500, no attack"
    )


def test_formulas_are_mathml() -> None:
    for name in ("start", "step", "project", "minmax", "erm"):
        out = str(mathml(name))
        assert out.startswith("<math") and 'display="block"' in out
        assert "<script" not in out
    assert 'display="inline"' in str(mathml("loss", display=False))


def test_provenance_line_names_the_models_and_minutes(app) -> None:
    """A plain provenance line, no preset banner: width, parameters beside the standard network's,
    images, epochs, precision, device, minutes; and whether the models trained alike."""
    page = app.state.page
    html = TestClient(app).get("/").text
    assert 'id="preset-banner"' not in html
    line = re.search(r'<aside class="provline" id="provline".*?</aside>', html, re.S).group(0)
    nums = (page.regular.width, page.parameters_millions, page.standard_width, page.standard_parameters)
    for num in (*nums, page.n_train, page.regular.epochs, page.minutes):
        assert num.__html__() in line
    assert (
        "run.device" in line
        and "run.preset" in line
        and f"run.models[{page.regular.index}].precision" in line
    )
    assert page.standard_parameters.text == "11.17\u00a0M" and page.standard_width.value == 64
    assert ("trained differently" in line) == (not page.one_schedule)


def test_one_schedule_is_read_from_the_run(app) -> None:
    """A run with one training config and equal epochs is 'one schedule'; a model trained for other
    epochs, or the older layout with separate regular and robust configs, is not."""
    from server.views.page import _one_schedule

    run = app.state.store.bundle.doc("run.json", schema.RunFile)
    alike = run.model_copy(
        update={
            "config": {"train": {}},
            "models": [m.model_copy(update={"epochs": 11}) for m in run.models],
        }
    )
    assert _one_schedule(alike)
    shorter = alike.models[-1].model_copy(update={"epochs": 6})
    assert not _one_schedule(alike.model_copy(update={"models": [*alike.models[:-1], shorter]}))
    assert not _one_schedule(alike.model_copy(update={"config": {"train": {}, "regular_train": {}}}))


def test_every_headline_accuracy_has_its_interval_and_n(app) -> None:
    """The cards and the results table print each accuracy with its Wilson interval and n."""
    page = app.state.page
    html = TestClient(app).get("/").text
    evaluated = [mv for mv in page.models if mv.results]
    assert evaluated
    for mv in evaluated:
        for r in mv.results + mv.same_images:
            assert r.accuracy.interval in html
            for part in (r.accuracy.low, r.accuracy.high, r.accuracy.n):
                assert part.src.startswith(r.src + ".accuracy.")
    table = re.search(r'<table class="results" id="results-table">.*?</table>', html, re.S).group(0)
    assert table.count('class="ci"') == sum(len(mv.results) + len(mv.same_images) for mv in evaluated)


def test_page_has_no_inline_script_or_handlers_and_links_assets(app) -> None:
    html = TestClient(app).get("/").text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r'(href|src)="(https?:)?//', html), "a link to another origin"
    assert "/static/" not in html, "assets must be linked through asset()"


def test_the_published_table_sets_our_strongest_attack_beside_cited_autoattack(app, store) -> None:
    """Our row shows APGD-CE + APGD-T (the part of AutoAttack we ran) from the bundle, like the cited
    rows' AutoAttack; every cited row links to entries the reference list has."""
    page = build_page(store)
    html = TestClient(app).get("/").text
    table = html[html.index('id="published"') : html.index("</table>", html.index('id="published"'))]
    assert page.robust is not None and page.robust.ensemble is not None
    assert page.robust.ensemble.name == "APGD-CE + APGD-T"
    assert f'data-src="{page.robust.ensemble.src}.accuracy.value"' in table
    assert table.count('class="cited"') == len(page.published) >= 2
    for p in page.published:
        for ref in (p.ref, p.numbers_ref):
            assert f'href="#ref-{ref}"' in table and f'id="ref-{ref}"' in html
