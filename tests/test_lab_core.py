"""The live lab retraces the bundle: a gallery image attacked in-process with its bundle seed gives
the precomputed trajectory (records and pictures) for both models."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from precompute import schema
from server.config import Settings
from server.lab.engine import Lab, decode_png, tiles
from server.lab.params import AttackParams, SourceInfo
from server.store import open_store


@pytest.fixture(scope="module")
def store():
    return open_store(Settings().bundle_dir)


@pytest.fixture(scope="module")
def lab(store):
    lab = Lab.from_store(store)
    if not lab.available:
        pytest.skip(lab.reason)
    yield lab
    lab.close()


def lossy(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff" or (data[:4] == b"RIFF" and data[12:16] == b"VP8 ")


def sprite_row(data: bytes, row: int, columns: int) -> np.ndarray:
    grid = tiles(decode_png(data), 32, columns, 10**9)
    return grid[row * columns : (row + 1) * columns]


@pytest.mark.parametrize("position", [0, 7, 42])
def test_gallery_image_matches_the_precomputed_trajectory(store, lab, position):
    traj = store.bundle.doc("trajectories.json", schema.TrajectoriesFile)
    image = next(im for im in traj.images if im.position == position)
    spec = traj.attack
    test = lab.test_image(image.test_index)
    assert test is not None and test.exact and test.label == image.label
    params = AttackParams(norm=spec.norm, eps=spec.eps, alpha=spec.alpha, steps=spec.steps)
    source = SourceInfo(kind="test", test_index=image.test_index, label=test.label, exact=True)
    out = lab.attack(test.pixels, params, source)  # seed: the default, the bundle's per-image seed
    columns = spec.steps + 1
    for run, ref in zip(out.runs, image.trajectories, strict=True):
        assert run.model_id == ref.model_id
        mine = run.trajectory
        assert mine.first_misclassified == ref.first_misclassified
        for a, b in zip([mine.clean, *mine.steps], [ref.clean, *ref.steps], strict=True):
            assert a.pred == b.pred
            np.testing.assert_allclose(a.probs, b.probs, atol=1e-4)
            assert a.loss == pytest.approx(b.loss, abs=1e-3)
            assert a.linf == pytest.approx(b.linf, abs=1e-5)
            assert a.l2 == pytest.approx(b.l2, abs=1e-3)
        for kind in ("adversarial", "perturbation"):
            got = tiles(
                decode_png(base64.b64decode(getattr(run, kind).split(",", 1)[1])), 32, columns, columns
            )
            want = sprite_row(
                store.bundle.files[getattr(traj.sprites[run.model_id], kind)], position, columns
            )
            if lossy(store.bundle.files[getattr(traj.sprites[run.model_id], kind)]):
                continue  # a lossy sprite cannot be compared pixel for pixel; the records above did
            assert np.abs(got.astype(int) - want).max() <= 1  # uint8 rounding at most
