"""The committed bundle, checked as an expert would: the attacks are ordered as they must be on the
same images, every shipped model has weights, and the cpu preset's sample sizes are the promised ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tour import schema
from tour.bundle import load_bundle

BUNDLE = Path(__file__).resolve().parents[2] / "data" / "bundle"


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(BUNDLE)


def test_apgd_is_never_above_pgd_nor_pgd_above_clean_on_the_same_images(bundle):
    evaluation = bundle.doc("evaluation.json", schema.EvaluationFile)
    assert evaluation.models
    for m in evaluation.models:
        same = {r.name: r.accuracy for r in m.same_images}
        clean, pgd10, apgd = same["clean"], same["PGD-10"], same["APGD-CE + APGD-T"]
        assert clean.n == pgd10.n == apgd.n
        assert apgd.correct <= pgd10.correct <= clean.correct, m.model_id
        assert apgd.correct <= same["APGD-CE"].correct
        results = {r.name: r.accuracy for r in m.results}
        assert results["PGD-50"].correct <= results["PGD-10"].correct <= results["PGD-10"].n


def test_every_model_ships_weights_and_its_sweep_row_never_beats_clean(bundle):
    run = bundle.doc("run.json", schema.RunFile)
    sweep = bundle.doc("sweep.json", schema.SweepFile)
    assert {w.model_id for w in run.weights} == {m.id for m in run.models}
    assert {r.model_id for r in sweep.rows} == {m.id for m in run.models}
    for row in sweep.rows:
        assert all(a.correct <= row.accuracies[0].correct for a in row.accuracies[1:]), row.model_id


def test_cpu_preset_measures_on_the_promised_number_of_images(bundle):
    run = bundle.doc("run.json", schema.RunFile)
    if run.preset != "cpu":
        pytest.skip(f"the committed bundle is the {run.preset} preset")
    assert run.data.n_train == 49_000 and run.data.n_holdout == 1_000 and run.data.n_test == 10_000
    sweep = bundle.doc("sweep.json", schema.SweepFile)
    assert sweep.measurement.n_images >= 2000
    for m in bundle.doc("evaluation.json", schema.EvaluationFile).models:
        results = {r.name: r.accuracy for r in m.results}
        assert results["clean"].n == 10_000 and results["PGD-10"].n >= 2000 and results["PGD-50"].n >= 2000
        assert m.same_images[0].accuracy.n >= 1000
        assert all(p.accuracy.n >= 1000 for p in m.steps_curve)  # images the model gets right
    assert run.cpu_capability == "AVX2"  # the kernels the lab retraces with on any x86-64 host
