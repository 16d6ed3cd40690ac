"""Time one standard and one PGD adversarial training epoch of a preset's network, in one short call.

    python -m bench.epoch_times --preset full --device cuda [--compile] [--images N]

Uses the real training loop (`precompute.train.train`) on random uint8 images of the preset's
training-set size, so the number is the pipeline's own epoch time without needing the dataset on the
GPU machine. The per-epoch evaluation is shrunk to 10 images, so the time is the training pass.
The first epoch of each kind is a warm-up (cuDNN autotuning, torch.compile) and is reported
separately. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import replace

import torch

from precompute.config import PRESETS
from precompute.train import TrainData, train

FULL_TRAIN_IMAGES = 49_000  # CIFAR-10 training set less the 1,000-image hold-out


def random_data(n: int, n_eval: int, device: torch.device) -> TrainData:
    gen = torch.Generator().manual_seed(0)

    def images(k: int) -> torch.Tensor:
        return torch.randint(0, 256, (k, 3, 32, 32), generator=gen, dtype=torch.uint8).to(device)

    def labels(k: int) -> torch.Tensor:
        return torch.randint(0, 10, (k,), generator=gen).to(device)

    return TrainData(
        x_train=images(n),
        y_train=labels(n),
        x_holdout=images(n_eval),
        y_holdout=labels(n_eval),
        x_test=images(n_eval),
        y_test=labels(n_eval),
        x_gallery=images(10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="full")
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu"
    )
    parser.add_argument("--compile", action="store_true", help="torch.compile the training model (CUDA)")
    parser.add_argument("--images", type=int, help="training images per epoch (default: the preset's)")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (1 on a busy machine)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = PRESETS[args.preset]()
    device = torch.device(args.device)
    n = args.images or cfg.data.n_train or FULL_TRAIN_IMAGES
    for kind, mid, eps in (("standard", "regular", 0.0), ("pgd", "adv_eps8", 8 / 255)):
        tcfg = replace(
            cfg.train,
            epochs=2,
            compile=args.compile,
            eval_clean_n=10,
            eval_pgd_n=10,
            holdout_attack_n=10,
        )
        data = random_data(n, 10, device)
        stamps = [time.perf_counter()]
        train(
            tcfg, eps, data, seed=0, model_id=mid, on_epoch=lambda s, t=stamps: t.append(time.perf_counter())
        )
        for epoch, (a, b) in enumerate(itertools.pairwise(stamps), start=1):
            line = {
                "preset": args.preset,
                "kind": kind,
                "epoch": epoch,
                "warmup": epoch == 1,
                "seconds": round(b - a, 3),
                "images": n,
                "train_attack_steps": tcfg.train_attack_steps if eps else 0,
                "width": tcfg.width,
                "batch_size": tcfg.batch_size,
                "compile": args.compile,
                "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
