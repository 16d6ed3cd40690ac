"""Independent trainings on two cores: one two-thread process in turn, or two one-thread Ray tasks
side by side. Side by side in one run, on the real pipeline's training stages.

    .venv/bin/python -m bench.two_core_training [--preset cpu] [--images 9600] [--epochs 1]

Trains the preset's regular and headline robust models (its recipe, precision and per-epoch probes)
on the first --images of a random uint8 training set, first with `pipeline.walk` on two torch threads,
then with the Ray executor on a local two-CPU cluster, one thread per task. Prints a Markdown table
for BENCHMARKS.md ("Two cores: one process or two tasks"); numbers only, no pass/fail.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from bench.host import describe
from precompute.config import PRESETS, ROBUST_ID, DataConfig
from precompute.pipeline import open_inputs, walk
from precompute.ray_runner import ray_executor
from precompute.stages import graph
from tour.runtime import train_precision

MODELS = ("train_regular", f"train_{ROBUST_ID}")


def random_npz(path: Path, n_train: int) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.int64),
        "x_test": rng.integers(0, 256, (1000, 32, 32, 3), dtype=np.uint8),
        "y_test": np.repeat(np.arange(10), 100),
    }
    np.savez(path, **arrays)
    return path


def timed(cfg, data: str, work: Path, execute) -> tuple[float, dict[str, float]]:
    """Wall seconds of the two training stages, and each stage's own seconds as it recorded them."""
    inp = open_inputs(cfg, data, torch.device("cpu"), work)
    stages = [s for s in graph(cfg) if s.name in MODELS]
    start = time.perf_counter()
    execute(inp, data, stages)
    wall = time.perf_counter() - start
    return wall, {s.name: inp.ws.timing(s.name).wall_seconds for s in stages}  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument("--images", type=int, default=9600, help="training images per epoch")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    base = PRESETS[args.preset]()
    cfg = replace(
        base,
        data=DataConfig(n_train=args.images, n_holdout=1000),
        train=replace(base.train, epochs=args.epochs),
    )
    images = args.images // cfg.train.batch_size * cfg.train.batch_size * args.epochs
    with tempfile.TemporaryDirectory() as tmp:
        data = str(random_npz(Path(tmp) / "data.npz", args.images + 1000))
        torch.set_num_threads(2)
        one = timed(cfg, data, Path(tmp) / "one", walk)
        two = timed(cfg, data, Path(tmp) / "two", ray_executor("local", 1))
    precision = train_precision(cfg.train.precision, torch.device("cpu"))
    print(
        f"`python -m bench.two_core_training --preset {args.preset} --images {args.images} --epochs "
        f"{args.epochs}`: {describe()}, training in {precision}, one run; each model {images:,} training "
        "images with the preset's per-epoch probes.\n"
    )
    print(
        "| how | threads per model | train_regular s | train_adv s | wall s | training img/s, both models |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, threads, (wall, per) in (
        ("one process, in turn", 2, one),
        ("two Ray tasks, side by side", 1, two),
    ):
        reg, adv = per[MODELS[0]], per[MODELS[1]]
        print(f"| {name} | {threads} | {reg:.1f} | {adv:.1f} | {wall:.1f} | {2 * images / wall:,.0f} |")
    print(f"\nSpeed-up of the two tasks: {one[0] / two[0]:.2f}x in wall time (Ray's start-up included).")


if __name__ == "__main__":
    main()
