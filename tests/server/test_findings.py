"""The facts the prose derives from the bundle: flips, confidence, the standard network, 2 eps vs eps."""

from __future__ import annotations

import pytest

from server.views.findings import (
    mean_confidence,
    most_changing_example,
    standard_parameters,
    top_guess_changes,
)
from server.views.page import _sweep_double
from tour import schema

ONE_HOT = [[1.0 if c == k else 0.0 for c in range(10)] for k in range(10)]


def test_top_guess_changes_counts_changes_between_consecutive_epochs() -> None:
    assert top_guess_changes([ONE_HOT[3], ONE_HOT[5], ONE_HOT[5], ONE_HOT[3]]) == 2
    assert top_guess_changes([ONE_HOT[1]] * 4) == 0


def test_most_changing_example_picks_the_first_of_the_most_changing() -> None:
    epochs = [[ONE_HOT[0], ONE_HOT[1], ONE_HOT[2]], [ONE_HOT[0], ONE_HOT[2], ONE_HOT[1]]]
    doc = schema.EpochProbsFile(
        measurement=schema.Measurement(split="gallery", first_index=0, n_images=3),
        model_ids=["regular"],
        probs={"regular": epochs},
    )
    assert most_changing_example(doc, "regular") == (1, 1)


def test_standard_parameters_is_the_width_64_resnet18() -> None:
    assert (
        standard_parameters() == 11_173_962
    )  # He et al.'s CIFAR ResNet-18, as torchvision-free code builds it


def test_mean_confidence_and_the_sweep_pair_on_the_shipped_bundle(store) -> None:
    b = store.bundle
    traj = b.doc("trajectories.json", schema.TrajectoriesFile)
    for mid in traj.model_ids:
        tops = [max(t.clean.probs) for im in traj.images for t in im.trajectories if t.model_id == mid]
        assert mean_confidence(traj, mid) == pytest.approx(sum(tops) / len(tops))
        assert 0.1 <= mean_confidence(traj, mid) <= 1
    sweep = b.doc("sweep.json", schema.SweepFile)
    hi, lo, more = _sweep_double(sweep, 8 / 255)
    assert hi.value.src.startswith("sweep.rows[") and hi.value.src != lo.value.src
    assert more.value.value == pytest.approx(hi.value.value - lo.value.value)
    assert more.low.value < more.value.value < more.high.value
    rows = {round(r.train_eps * 255): r for r in sweep.rows}
    col = [round(e * 255) for e in sweep.test_eps].index(8)
    assert (hi.value.value, lo.value.value) == (rows[16].accuracies[col].value, rows[8].accuracies[col].value)
    assert _sweep_double(sweep, 3 / 255) is None  # no model trained at 3/255 or 6/255
