"""The Plotly figures the server builds: every trace equals the bundle it was built from."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server import figures
from server.config import Settings
from server.main import create_app
from tour import schema
from tour.bundle import Bundle, load_bundle


@pytest.fixture(scope="module")
def bundle(tiny_bundle: Path) -> Bundle:
    return load_bundle(tiny_bundle)


@pytest.fixture(scope="module")
def figs(bundle: Bundle) -> dict:
    return figures.build_all(bundle)


def pct(values) -> list[float]:
    return [pytest.approx(100 * v) for v in values]


def whiskers(accs: list[schema.Accuracy]) -> tuple[list, list]:
    return [pytest.approx(100 * (a.high - a.value)) for a in accs], [
        pytest.approx(100 * (a.value - a.low)) for a in accs
    ]


def test_learning_curves_are_the_regular_models_epochs(figs, bundle) -> None:
    training = bundle.doc("training.json", schema.TrainingFile)
    model_id = bundle.doc("trajectories.json", schema.TrajectoriesFile).model_ids[0]
    records = next(h for h in training.models if h.model.id == model_id).epochs
    train_loss, test_loss, acc, changes = figs["learning"]["data"]
    assert train_loss["x"] == [r.epoch for r in records]
    assert train_loss["y"] == pytest.approx([r.train_loss for r in records])
    assert test_loss["y"] == pytest.approx([r.test_loss for r in records])
    assert acc["y"] == pct([r.clean_acc.value for r in records])
    high, low = whiskers([r.clean_acc for r in records])
    assert acc["error_y"]["array"] == high and acc["error_y"]["arrayminus"] == low
    assert acc["customdata"][0][2] == records[0].clean_acc.n  # the hover names n
    assert changes["x"] == [] and changes["mode"] == "markers"  # the page fills it per example
    lo, hi = figs["learning"]["layout"]["yaxis2"]["range"]
    assert all(lo <= 100 * r.clean_acc.low and 100 * r.clean_acc.high <= hi for r in records)


def test_tradeoff_has_clean_and_attacked_curves_per_model(figs, bundle) -> None:
    training = bundle.doc("training.json", schema.TrainingFile)
    shown = bundle.doc("trajectories.json", schema.TrajectoriesFile).model_ids
    traces = figs["tradeoff"]["data"]
    assert len(traces) == 2 * len(shown)
    for i, mid in enumerate(shown):
        h = next(h for h in training.models if h.model.id == mid)
        clean, attacked = traces[2 * i], traces[2 * i + 1]
        assert clean["name"] == f"{h.model.label}, clean" and attacked["line"]["dash"] == "dash"
        assert clean["y"] == pct([r.clean_acc.value for r in h.epochs])
        assert attacked["y"] == pct([r.pgd_acc.value for r in h.epochs])
        assert attacked["error_y"]["array"] == whiskers([r.pgd_acc for r in h.epochs])[0]


def test_steps_curves_follow_the_evaluation(figs, bundle) -> None:
    evaluation = bundle.doc("evaluation.json", schema.EvaluationFile)
    for trace, m in zip(figs["steps"]["data"], evaluation.models, strict=True):
        assert trace["x"] == [p.steps for p in m.steps_curve]
        assert trace["y"] == pct([p.accuracy.value for p in m.steps_curve])


def test_sweep_has_a_frame_per_attacked_eps_with_every_model(figs, bundle) -> None:
    sweep = bundle.doc("sweep.json", schema.SweepFile)
    clean = sweep.test_eps.index(0.0)
    rows = sorted(sweep.rows, key=lambda r: r.train_eps)
    frames = {f["name"]: f for f in figs["sweep"]["frames"]}
    attacked = [(i, e) for i, e in enumerate(sweep.test_eps) if e > 0]
    assert sorted(frames, key=int) == [str(round(e * 255)) for _, e in attacked]
    for i, e in attacked:
        frame = frames[str(round(e * 255))]
        assert f"{round(e * 255)}/255" in frame["layout"]["title"]["text"]
        *points, joining = frame["data"]  # a point per model, then the grey line that joins them
        assert joining["mode"] == "lines" and joining["y"] == [p["y"][0] for p in points]
        for trace, row in zip(points, rows, strict=True):
            assert trace["x"] == pct([row.accuracies[clean].value])
            assert trace["y"] == pct([row.accuracies[i].value])
            assert trace["error_y"]["arrayminus"] == whiskers([row.accuracies[i]])[1]
            assert trace["error_x"]["array"] == whiskers([row.accuracies[clean]])[0]
    opened = frames[str(figs["sweep"]["layout"]["meta"]["open_k"])]
    assert [t["y"] for t in figs["sweep"]["data"]] == [t["y"] for t in opened["data"]]


def test_model_colours_are_distinct_and_not_the_wrong_red(figs) -> None:
    colours = [t["marker"]["color"] for t in figs["sweep"]["data"] if t["mode"] == "markers"]
    assert len(set(colours)) == len(colours)
    assert figures.theme.WRONG not in colours and colours[0] == figures.theme.REGULAR


def test_bars_shell_has_a_bar_per_class(figs, bundle) -> None:
    classes = bundle.doc("gallery.json", schema.GalleryFile).classes
    (bar,) = figs["bars"]["data"]
    assert bar["text"] == classes and bar["x"] == [0.0] * len(classes)
    assert set(figs["bars"]["layout"]["meta"]) == {"right", "wrong", "neutral"}


def test_figures_route_serves_each_figure_and_refuses_others(tiny_bundle: Path, figs) -> None:
    with TestClient(create_app(Settings(bundle_dir=tiny_bundle))) as client:
        for name in figures.NAMES:
            r = client.get(f"/api/figures/{name}")
            assert r.status_code == 200 and r.json() == figs[name], name
            assert r.headers["etag"] and r.headers["cache-control"] == "no-cache"
        for bad in ("nope", "..%2Frun", "LEARNING", "learning.json"):
            r = client.get(f"/api/figures/{bad}")
            assert 400 <= r.status_code < 500, bad


def test_sweep_grid_is_every_model_at_every_test_eps(figs, bundle) -> None:
    sweep = bundle.doc("sweep.json", schema.SweepFile)
    rows = sorted(sweep.rows, key=lambda r: r.train_eps)
    (grid,) = figs["sweep-grid"]["data"]
    assert grid["z"] == [pct([a.value for a in r.accuracies]) for r in rows]
    assert [c[2] for c in grid["customdata"][0]] == [a.n for a in rows[0].accuracies]
    assert grid["x"][0] == "clean" and grid["y"][0] == "regular" and len(grid["x"]) == len(sweep.test_eps)


def test_transfer_grid_is_the_bundles_matrix(figs, bundle) -> None:
    t = bundle.doc("transfer.json", schema.TransferFile)
    (grid,) = figs["transfer"]["data"]
    assert grid["z"] == [pct([a.value for a in row]) for row in t.accuracy]
    assert [c[2] for c in grid["customdata"][0]] == [a.n for a in t.accuracy[0]]
    assert grid["y"][0] == "regular" and len(grid["x"]) == len(t.targets)


def test_saliency_bars_are_the_edge_scores_with_intervals(figs, bundle) -> None:
    doc = bundle.doc("saliency.json", schema.SaliencyFile)
    traces = figs["saliency"]["data"]
    assert [t["name"] for t in traces] == [m.label for m in _models(bundle, doc.model_ids)]
    for t, s in zip(traces, doc.scores, strict=True):
        ms = [s.gradient, s.smoothgrad]
        assert t["y"] == pytest.approx([m.mean for m in ms])
        assert t["error_y"]["array"] == pytest.approx([m.high - m.mean for m in ms])
        assert t["customdata"][0][2] == s.gradient.n  # the hover names n


def test_input_landscape_has_a_frame_per_example_on_one_colour_scale(figs, bundle) -> None:
    doc = bundle.doc("input_landscape.json", schema.InputLandscapeFile)
    fig = figs["input-landscape"]
    assert [f["name"] for f in fig["frames"]] == [str(im.position) for im in doc.images]
    top = max(v for im in doc.images for m in doc.model_ids for row in im.loss[m] for v in row)
    assert fig["layout"]["coloraxis"]["cmax"] == pytest.approx(top)
    for frame, im in zip(fig["frames"], doc.images, strict=True):
        for trace, mid in zip(frame["data"], doc.model_ids, strict=True):
            assert trace["coloraxis"] == "coloraxis"
            # z[random j][adversarial i] = loss[i][j]: the adversarial axis is x
            assert trace["z"][1][0] == pytest.approx(im.loss[mid][0][1])
            assert trace["x"] == pytest.approx([255 * c for c in doc.coords])
    square = fig["layout"]["shapes"][0]
    eps = bundle.doc("trajectories.json", schema.TrajectoriesFile).attack.eps
    assert square["x1"] == pytest.approx(255 * eps) and square["y0"] == pytest.approx(-255 * eps)


def test_weight_landscape_slices_are_the_bundles(figs, bundle) -> None:
    doc = bundle.doc("weight_landscape.json", schema.WeightLandscapeFile)
    traces = figs["weight-landscape"]["data"]
    n = len(doc.models)
    lines, planes, (scale,) = traces[:n], traces[n : 2 * n], traces[2 * n :]  # the colour scale last
    assert scale["z"][-1][0] == pytest.approx(max(v for s in doc.models for row in s.loss_2d for v in row))
    for line, plane, s in zip(lines, planes, doc.models, strict=True):
        assert line["x"] == pytest.approx(doc.coords_1d)
        assert line["y"] == pytest.approx(s.loss_1d)
        assert line["customdata"][0][3] == s.accuracy_1d[0].n
        assert plane["z"][1][0] == pytest.approx(s.loss_2d[0][1])  # z[y][x]
        assert plane["coloraxis"] == "coloraxis"


def test_paint_chart_is_a_shell_with_the_snapshot_steps(figs, bundle) -> None:
    doc = bundle.doc("paint.json", schema.PaintFile)
    traces = figs["paint-probs"]["data"]
    assert len(traces) == len(doc.model_ids)
    zeros = [0.0] * len(doc.snapshots)  # the page fills them
    assert all(t["x"] == doc.snapshots and t["y"] == zeros for t in traces)


def _models(bundle: Bundle, ids: list[str]) -> list[schema.ModelInfo]:
    run = bundle.doc("run.json", schema.RunFile)
    return [next(m for m in run.models if m.id == mid) for mid in ids]


def test_capacity_points_are_every_model_with_its_interval(figs, bundle) -> None:
    doc = bundle.doc("capacity.json", schema.CapacityFile)
    traces = figs["capacity"]["data"]
    assert figs["capacity"]["layout"]["xaxis"]["type"] == "log"
    assert sum(len(t["x"]) for t in traces) == 2 * len(doc.models)  # clean and PGD per model
    by_key = {(m.kind, m.parameters, m.last_stage != 8 * m.width): m for m in doc.models}
    for t in traces:
        kind = t["name"].split(",")[0]
        measure = "clean" if ", clean" in t["name"] else "robust"
        for x, y, cd in zip(t["x"], t["y"], t["customdata"], strict=True):
            m = by_key[(kind, x, "narrowed" in t["name"])]
            assert y == pytest.approx(100 * getattr(m, measure).value)
            assert cd[4] == getattr(m, measure).n
