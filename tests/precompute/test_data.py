"""Loaders on tiny generated tarballs, batch folders and .npz files; clear errors; augmentation; splits."""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from precompute.augment import crop_flip
from precompute.config import CROP_PAD as PAD
from precompute.data import (
    TEST_BATCH,
    TRAIN_BATCHES,
    DataError,
    examples_first,
    gallery_indices,
    load_cifar,
    split,
    synthetic_cifar,
)


def batch_bytes(x_nhwc: np.ndarray, labels: np.ndarray) -> bytes:
    """A batch in the official layout: a pickled dict of bytes keys, data (N, 3072) in CHW order."""
    data = x_nhwc.transpose(0, 3, 1, 2).reshape(len(x_nhwc), -1)
    return pickle.dumps({b"data": data, b"labels": [int(v) for v in labels], b"batch_label": b"fake"})


@pytest.fixture(scope="module")
def fake():
    return synthetic_cifar(50, 20, seed=3)


def write_batch_dir(root: Path, fake) -> Path:
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    for i, name in enumerate(TRAIN_BATCHES):
        sl = slice(10 * i, 10 * (i + 1))
        (folder / name).write_bytes(batch_bytes(fake.x_train[sl], fake.y_train[sl]))
    (folder / TEST_BATCH).write_bytes(batch_bytes(fake.x_test, fake.y_test))
    return folder


def write_tarball(root: Path, fake) -> Path:
    folder = write_batch_dir(root, fake)
    path = root / "cifar-10-python.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
    return path


def assert_same(c, fake):
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(c, name), getattr(fake, name))
    assert c.x_train.dtype == np.uint8 and c.x_train.shape == (50, 32, 32, 3)


def test_tarball(tmp_path, fake):
    c = load_cifar(write_tarball(tmp_path, fake))
    assert_same(c, fake)
    assert c.kind == "tarball" and len(c.sha256) == 64


def test_batches_folder_and_its_parent(tmp_path, fake):
    folder = write_batch_dir(tmp_path, fake)
    assert_same(load_cifar(folder), fake)
    assert_same(load_cifar(tmp_path), fake)


def test_npz(tmp_path, fake):
    path = tmp_path / "c.npz"
    np.savez(path, x_train=fake.x_train, y_train=fake.y_train, x_test=fake.x_test, y_test=fake.y_test)
    c = load_cifar(path)
    assert_same(c, fake)
    assert c.kind == "npz"


def test_missing_dataset_is_one_clear_line(tmp_path):
    with pytest.raises(DataError, match="no dataset at"):
        load_cifar(tmp_path / "nothing.npz")


def test_damaged_tarball(tmp_path, fake):
    path = write_tarball(tmp_path, fake)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(DataError, match="damaged"):
        load_cifar(path)


def test_tarball_without_test_batch(tmp_path, fake):
    folder = write_batch_dir(tmp_path, fake)
    (folder / TEST_BATCH).unlink()
    path = tmp_path / "partial.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
    with pytest.raises(DataError, match="lacks test_batch"):
        load_cifar(path)


def test_npz_missing_array_and_wrong_shape(tmp_path, fake):
    path = tmp_path / "c.npz"
    np.savez(path, x_train=fake.x_train, y_train=fake.y_train, x_test=fake.x_test)
    with pytest.raises(DataError, match="y_test"):
        load_cifar(path)
    np.savez(path, x_train=fake.x_train[:, :16], y_train=fake.y_train, x_test=fake.x_test, y_test=fake.y_test)
    with pytest.raises(DataError, match="uint8 \\(N, 32, 32, 3\\)"):
        load_cifar(path)


class Boom:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_a_batch_that_would_run_code_is_refused(tmp_path, fake):
    folder = write_batch_dir(tmp_path, fake)
    (folder / TRAIN_BATCHES[0]).write_bytes(pickle.dumps({b"data": Boom(), b"labels": []}))
    with pytest.raises(DataError, match=r"data_batch_1 is damaged .*refusing to load builtins\.print"):
        load_cifar(folder)


def test_crop_flip_is_a_shifted_maybe_mirrored_copy():
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (16, 3, 32, 32), dtype=torch.uint8)
    out = crop_flip(x, gen)
    assert out.shape == x.shape and out.dtype == torch.uint8
    padded = torch.nn.functional.pad(x, (PAD,) * 4)
    flips = 0
    for i in range(len(x)):
        matches = [
            (dy, dx, f)
            for dy in range(2 * PAD + 1)
            for dx in range(2 * PAD + 1)
            for f in (False, True)
            if torch.equal(out[i], (padded[i].flip(-1) if f else padded[i])[:, dy : dy + 32, dx : dx + 32])
        ]
        assert matches, f"image {i} is not a crop of its padded self"
        flips += matches[0][2]
    assert 0 < flips < len(x)  # both branches taken
    assert torch.equal(crop_flip(x, torch.Generator().manual_seed(0)), out)  # a seed fixes the epoch


def test_holdout_is_the_end_of_the_training_set_and_disjoint():
    c = synthetic_cifar(100, 30)
    s = split(c, n_train=40, n_holdout=20)
    np.testing.assert_array_equal(s.x_train, c.x_train[:40])
    np.testing.assert_array_equal(s.x_holdout, c.x_train[80:])
    with pytest.raises(DataError):
        split(c, n_train=None, n_holdout=100)


def test_gallery_rule():
    y = np.array([3, 1, 3, 0, 2, 1, 0, 2, 4, 4, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9])
    g = gallery_indices(y, 20)
    assert [int(y[i]) for i in g] == [k % 10 for k in range(20)]
    assert g[:4] == [3, 1, 4, 0] and g[10:14] == [6, 5, 7, 2]
    with pytest.raises(DataError, match="only 2 images of class 0"):
        gallery_indices(y, 21)


def test_missing_tarball_download_failure_is_clear(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(DataError, match=r"downloading .* failed"):
        load_cifar(tmp_path / "cifar-10-python.tar.gz")
    assert not (tmp_path / "cifar-10-python.tar.gz").exists()


def test_download_with_wrong_md5_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: io.BytesIO(b"not cifar"))
    with pytest.raises(DataError, match="md5 mismatch"):
        load_cifar(tmp_path / "cifar-10-python.tar.gz")
    assert not list(tmp_path.iterdir())


def test_examples_first_takes_each_class_first_known_image():
    correct = [False] * 30
    correct[10 + 3] = correct[20 + 3] = True  # class 3: rows 1 and 2 known, row 0 not
    correct[0] = True  # class 0: row 0 known
    order = examples_first(30, correct)
    assert sorted(order) == list(range(30))
    assert order[3] == 13 and order[13] == 3 and order[23] == 23  # the pick moves up, the rest keep order
    assert order[0] == 0 and order[5] == 5  # known first, or none known: unchanged
