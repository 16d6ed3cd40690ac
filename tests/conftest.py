"""Shared fixtures. `tiny_bundle` runs the real precompute pipeline (tiny preset) once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from precompute.config import tiny
from precompute.pipeline import run
from tests.support import write_synthetic_npz
from tour.runtime import one_thread


@pytest.fixture(scope="module")
def single_thread():
    """For a module of small-network tests: one torch thread while it runs, restored after."""
    with one_thread():
        yield


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> dict[str, Path]:
    """The pipeline's inputs and outputs: data (.npz), work dir and bundle dir."""
    root = tmp_path_factory.mktemp("tiny")
    paths = {"data": write_synthetic_npz(root / "data.npz"), "work": root / "work", "bundle": root / "bundle"}
    with one_thread():
        run(tiny(), str(paths["data"]), torch.device("cpu"), paths["bundle"], paths["work"])
    return paths


@pytest.fixture(scope="session")
def tiny_bundle(tiny_run) -> Path:
    """Directory of a complete, schema-valid bundle made by the real pipeline in the tiny preset."""
    return tiny_run["bundle"]
