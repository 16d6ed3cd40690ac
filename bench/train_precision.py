"""Training throughput in fp32 and in bf16 autocast, side by side in one run, on this host's CPU.

    .venv/bin/python -m bench.train_precision [--preset cpu] [--images 6400] [--threads 2]

For each precision, one warm-up epoch and one timed epoch of the real training loop
(`precompute.train.train`) on random uint8 images, for a standard and an N-FGSM (8/255) model of the
preset's network; the per-epoch probes are shrunk to 10 images, so the time is the training pass.
Prints a Markdown table for BENCHMARKS.md ("Training precision") that names the host's ISA and whether
it has native bf16; numbers only, no pass/fail. On a host without native bf16 the bf16 column shows
what emulated bf16 costs, which is why `precision="auto"` trains in fp32 there.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

from bench.epoch_times import random_data
from bench.host import describe
from precompute.config import PRESETS, ROBUST_ID
from precompute.train import train

KINDS = (("standard", "regular", 0.0), ("N-FGSM", ROBUST_ID, 8 / 255))


def images_per_second(tcfg, eps: float, mid: str, n: int) -> float:
    """Images per second of the second of two epochs (the first warms the allocator and oneDNN)."""
    stamps = [time.perf_counter()]
    train(
        replace(tcfg, epochs=2, eval_clean_n=10, eval_pgd_n=10, holdout_attack_n=10, eval_batch=10),
        eps,
        random_data(n, 10, torch.device("cpu")),
        seed=0,
        model_id=mid,
        on_epoch=lambda s: stamps.append(time.perf_counter()),
    )
    return n // tcfg.batch_size * tcfg.batch_size / (stamps[2] - stamps[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument("--images", type=int, default=6400, help="training images per epoch")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = PRESETS[args.preset]()
    rows = []
    for kind, mid, eps in KINDS:
        base = cfg.train
        fp32, bf16 = (
            images_per_second(replace(base, precision=p), eps, mid, args.images) for p in ("fp32", "bf16")
        )
        rows.append(
            f"| {kind} | {base.width} | {base.batch_size} | {fp32:,.0f} | {bf16:,.0f} | {bf16 / fp32:.2f}x |"
        )
    print(
        f"`python -m bench.train_precision --preset {args.preset} --images {args.images} --threads "
        f"{args.threads}`: {describe()}, {args.threads} threads, channels-last, one run.\n"
    )
    print("| epoch | width | batch | fp32 img/s | bf16 img/s | bf16 / fp32 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
