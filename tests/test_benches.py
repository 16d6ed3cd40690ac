"""The benchmark scripts still run against the code they measure: each imports, and the two training
benches run end to end on the tiny preset (numbers are not checked; benches record, they do not assert)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCHES = sorted(p.stem for p in (REPO / "bench").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", BENCHES)
def test_every_bench_imports(name):
    importlib.import_module(f"bench.{name}")


@pytest.mark.parametrize(
    "args",
    [
        ["bench.train_precision", "--preset", "tiny", "--images", "100", "--threads", "1"],
        ["bench.epoch_times", "--preset", "tiny", "--device", "cpu", "--images", "100", "--threads", "1"],
    ],
)
def test_the_training_benches_run_on_the_tiny_preset(args):
    out = subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip()
