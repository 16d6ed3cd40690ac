"""Our PGD loop against torchattacks' `PGD`, side by side in one run on the same model and images.

    .venv/bin/python -m bench.pgd_speed [--bundle data/bundle] [--model adv_eps8] [--repeats 15]

The shipped model (width 16, fp32 on the CPU), one torch thread as the lab and the trajectories run,
L-inf PGD-10 at 8/255, step 2/255, random start, on the first test images at batch 1 and batch 128.
The two implementations take turns, first one then the other, so a busy machine slows both alike; the table
gives the median seconds per attack and our speed relative to torchattacks' (above 1: ours is faster).
Prints a Markdown section for BENCHMARKS.md ("PGD loop"); numbers only, no pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torchattacks

from precompute.config import HEADLINE_ALPHA, HEADLINE_EPS, linf_pgd
from server.config import Settings
from server.lab.testset import CifarTestSet
from tour.attacks import pgd
from tour.bundle import load_bundle
from tour.isa import capability, host_isa
from tour.runtime import one_thread
from tour.weights import model_from_bytes


def timed(attack: Callable[[torch.Tensor, torch.Tensor], object], x: torch.Tensor, y: torch.Tensor) -> float:
    start = time.perf_counter()
    attack(x, y)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bundle", default=str(Settings().bundle_dir))
    parser.add_argument("--model", default="adv_eps8")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    bundle = load_bundle(args.bundle)
    model = model_from_bytes(bundle.files[f"weights/{args.model}.safetensors"]).eval()
    testset = CifarTestSet.from_bundle(bundle)
    images = np.stack([testset.pixels(i) for i in range(128)])
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255)
    y = torch.tensor([testset.label(i) for i in range(128)])
    spec = linf_pgd(HEADLINE_EPS, HEADLINE_ALPHA, 10, seed=0)
    theirs = torchattacks.PGD(model, eps=spec.eps, alpha=spec.alpha, steps=spec.steps, random_start=True)
    rows = []
    with one_thread():
        for batch in (1, 128):
            xb, yb = x[:batch].contiguous(), y[:batch]
            ours_s, theirs_s = [], []
            runs = [(ours_s, lambda a, b: pgd(model, a, b, spec)), (theirs_s, theirs)]
            for r in range(args.repeats + 1):  # the first round warms both up; the order alternates
                for times, attack in runs if r % 2 else runs[::-1]:
                    times.append(timed(attack, xb, yb))
            a, b = statistics.median(ours_s[1:]), statistics.median(theirs_s[1:])
            rows.append(f"| {batch} | {a * 1000:.1f} | {b * 1000:.1f} | {b / a:.2f}x |")
    print(
        f"`python -m bench.pgd_speed --model {args.model} --repeats {args.repeats}`: host ISA {host_isa()}, "
        f"kernels {capability()}, torch {torch.__version__}, one thread, PGD-10 L-inf 8/255 step 2/255 "
        "with a random start, median of the repeats.\n"
    )
    print("| batch | ours ms | torchattacks ms | our speed / theirs |")
    print("| ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
