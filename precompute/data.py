"""CIFAR-10 from the official python tarball, its extracted batches, or an .npz; plus synthetic data.

Everything comes back as uint8 NHWC arrays in the original order, so indices in the bundle are
indices into the official test set. The official batches are pickles: they are read with an
unpickler that can only build numpy arrays, so a doctored file cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from tour.bundle import atomic_write_bytes
from tour.schema import N_CLASSES

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"


class DataError(Exception):
    """The dataset is missing or damaged; the message is one line that says which and where."""


@dataclass(frozen=True)
class Cifar:
    x_train: np.ndarray  # (N, 32, 32, 3) uint8
    y_train: np.ndarray  # (N,) int64
    x_test: np.ndarray
    y_test: np.ndarray
    kind: Literal["tarball", "batches", "npz", "synthetic"]
    sha256: str | None  # of the source file, when there is one file


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Resolves only what numpy needs to rebuild an array; anything else is refused."""

    ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
        }
    )

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def _read_batch(raw: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _NumpyOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
        x = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    except Exception as e:
        raise DataError(f"CIFAR-10 batch {name} is damaged ({type(e).__name__}: {e})") from None
    if len(x) != len(labels):
        raise DataError(f"CIFAR-10 batch {name} is damaged: {len(x)} images, {len(labels)} labels")
    return np.ascontiguousarray(x), labels


def _from_batches(read: dict[str, bytes], kind: Literal["tarball", "batches"], sha: str | None) -> Cifar:
    train = [_read_batch(read[n], n) for n in TRAIN_BATCHES]
    x_test, y_test = _read_batch(read[TEST_BATCH], TEST_BATCH)
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return _checked(Cifar(x_train, y_train, x_test, y_test, kind, sha))


def _read_tarball(path: Path) -> Cifar:
    data = path.read_bytes()
    read = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if member.isfile() and name in (*TRAIN_BATCHES, TEST_BATCH):
                    file = tar.extractfile(member)
                    if file is None:
                        raise DataError(f"{path}: {member.name} cannot be read")
                    read[name] = file.read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise DataError(f"{path} is damaged ({e})") from None
    missing = sorted({*TRAIN_BATCHES, TEST_BATCH} - read.keys())
    if missing:
        raise DataError(f"{path} lacks {', '.join(missing)}")
    return _from_batches(read, "tarball", hashlib.sha256(data).hexdigest())


def _read_batch_dir(path: Path) -> Cifar:
    missing = [n for n in (*TRAIN_BATCHES, TEST_BATCH) if not (path / n).is_file()]
    if missing:
        raise DataError(f"{path} lacks {', '.join(missing)}: not a cifar-10-batches-py folder")
    return _from_batches({n: (path / n).read_bytes() for n in (*TRAIN_BATCHES, TEST_BATCH)}, "batches", None)


def _read_npz(path: Path) -> Cifar:
    data = path.read_bytes()
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except KeyError as e:
        raise DataError(f"{path} lacks array {e}; expected x_train, y_train, x_test, y_test") from None
    except (ValueError, OSError, EOFError) as e:
        raise DataError(f"{path} is not a readable .npz ({e})") from None
    return _checked(
        Cifar(
            arrays["x_train"],
            arrays["y_train"].astype(np.int64),
            arrays["x_test"],
            arrays["y_test"].astype(np.int64),
            "npz",
            hashlib.sha256(data).hexdigest(),
        )
    )


def _checked(c: Cifar) -> Cifar:
    for split, x, y in (("train", c.x_train, c.y_train), ("test", c.x_test, c.y_test)):
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != (32, 32, 3):
            raise DataError(f"{split} images must be uint8 (N, 32, 32, 3), got {x.dtype} {x.shape}")
        if y.shape != (len(x),) or y.min() < 0 or y.max() > 9:
            raise DataError(f"{split} labels must be {len(x)} integers in 0..9")
    return c


def download(dest: Path) -> None:
    """Fetch the official tarball to `dest`; it is written (atomically) only if its md5 matches."""
    try:
        with urllib.request.urlopen(URL, timeout=60) as response:
            data = response.read()
    except OSError as e:
        raise DataError(f"{dest} is absent and downloading {URL} failed ({e})") from None
    if hashlib.md5(data).hexdigest() != MD5:
        raise DataError(f"the download from {URL} is damaged (md5 mismatch)")
    atomic_write_bytes(dest, data)


def load_cifar(path: Path) -> Cifar:
    """Read CIFAR-10 from `path`; a missing path ending in .tar.gz is downloaded first."""
    path = Path(path)
    if not path.exists():
        if path.name.endswith(".tar.gz"):
            download(path)
        else:
            raise DataError(f"no dataset at {path} (give cifar-10-python.tar.gz, its folder, or an .npz)")
    if path.is_dir():
        inner = path / "cifar-10-batches-py"
        return _read_batch_dir(inner if inner.is_dir() else path)
    if path.name.endswith((".tar.gz", ".tgz")):
        return _read_tarball(path)
    if path.suffix == ".npz":
        return _read_npz(path)
    raise DataError(f"{path}: unknown dataset format (expected .tar.gz, a batches folder, or .npz)")


def synthetic_cifar(n_train: int, n_test: int, seed: int = 0) -> Cifar:
    """Stand-in data for tests: each class is a faint colour cast plus an oriented stripe pattern in
    noise, learnable by a small network yet weak enough (~15 levels) for an 8/255 attack to matter."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)

    def make(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = np.arange(n) % N_CLASSES
        angle = y[:, None, None] * np.pi / 10
        stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * (0.4 + 0.05 * y[:, None, None]))
        cast = np.stack([np.cos(y * 0.63), np.sin(y * 0.63), np.cos(y * 1.9)], -1)[:, None, None, :]
        img = 128 + 15 * cast + 15 * stripes[..., None] + rng.normal(0, 25, (n, 32, 32, 3))
        return np.clip(img, 0, 255).astype(np.uint8), y.astype(np.int64)

    x_train, y_train = make(n_train)
    x_test, y_test = make(n_test)
    return Cifar(x_train, y_train, x_test, y_test, "synthetic", None)


@dataclass(frozen=True)
class Splits:
    """Training images, the hold-out slice (the last of the training set) and the test set."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_holdout: np.ndarray
    y_holdout: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def split(c: Cifar, n_train: int | None, n_holdout: int) -> Splits:
    """Hold out the last `n_holdout` training images; train on the first `n_train` of the rest."""
    if n_holdout >= len(c.x_train):
        raise DataError(f"hold-out of {n_holdout} leaves no training images out of {len(c.x_train)}")
    cut = len(c.x_train) - n_holdout
    end = cut if n_train is None else min(n_train, cut)
    return Splits(c.x_train[:end], c.y_train[:end], c.x_train[cut:], c.y_train[cut:], c.x_test, c.y_test)


def gallery_indices(y_test: np.ndarray, size: int) -> list[int]:
    """gallery[i] is the (i // 10)-th test image, in test-set order, of class i % 10."""
    by_class = [np.flatnonzero(y_test == k) for k in range(10)]
    out = []
    for i in range(size):
        members = by_class[i % 10]
        if i // 10 >= len(members):
            raise DataError(f"the test set has only {len(members)} images of class {i % 10}")
        out.append(int(members[i // 10]))
    return out


def examples_first(n_pool: int, correct: list[bool]) -> list[int]:
    """The gallery's order as positions into the pool of `gallery_indices`: row 0 takes, for each class,
    its first pool image that `correct` marks (the regular model classifies it right), or its first
    image if none is; each class's other images follow in test order, one row each."""
    rows = n_pool // 10
    table = [[0] * 10 for _ in range(rows)]
    for c in range(10):
        members = [r * 10 + c for r in range(rows)]
        pick = next((p for p in members if correct[p]), members[0])
        for r, p in enumerate([pick, *(m for m in members if m != pick)]):
            table[r][c] = p
    return [p for row in table for p in row]
