"""python -m precompute --preset tiny|small|full --data PATH --out DIR [--device cpu|cuda] [--work DIR]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from precompute.config import PRESETS
from precompute.data import DataError
from precompute.pipeline import SYNTHETIC, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m precompute", description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument(
        "--data",
        required=True,
        help=f"cifar-10-python.tar.gz (downloaded if absent), its folder, an .npz, or '{SYNTHETIC}'",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="bundle directory (its manifest is written last)"
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu"
    )
    parser.add_argument(
        "--work", type=Path, help="resumable stage outputs and checkpoints (default runs/<preset>)"
    )
    parser.add_argument(
        "--threads", type=int, help="CPU threads for torch (default: its own choice; 1 on a busy machine)"
    )
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no CUDA device")
    if args.threads:
        torch.set_num_threads(args.threads)
    work = args.work or Path("runs") / args.preset
    start = time.perf_counter()
    try:
        manifest = run(PRESETS[args.preset](), args.data, torch.device(args.device), args.out, work)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(manifest.files)} files to {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
