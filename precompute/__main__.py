"""python -m precompute --preset tiny|small|cpu|full [--data PATH] [--out DIR] [--force] [--threads N]
                       [--extend BUNDLE | --stage NAME | --plan | --ray [ADDRESS]]

The command line is the only place that reads argv; it never overwrites a bundle (the shipped one in
data/bundle/ included) unless told to with --force. --extend BUNDLE runs the stages a bundle made by
older code lacks (trajectories, chapters, capacity) on BUNDLE's own weights and writes the result to
--out. --stage NAME computes one stage in the work dir; --plan prints the stage graph; --ray runs the
graph's stages as Ray tasks (a local cluster, or the one at ADDRESS) and then writes the bundle.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from precompute.config import PRESETS
from precompute.data import DataError
from precompute.pipeline import extend, plan, run, run_one
from precompute.stages import SYNTHETIC, StageError

DEFAULT_DATA = Path("data") / "cifar10" / "cifar-10-python.tar.gz"  # the official archive, fetched if absent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m precompute", description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATA),
        help="cifar-10-python.tar.gz (downloaded from the official site if absent), its extracted "
        f"folder, an .npz with x_train, y_train, x_test, y_test, or '{SYNTHETIC}' (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--out", type=Path, help="bundle directory, its manifest written last (default runs/<preset>/bundle)"
    )
    parser.add_argument("--force", action="store_true", help="replace the bundle already in --out")
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu"
    )
    parser.add_argument(
        "--work", type=Path, help="resumable stage outputs and checkpoints (default runs/<preset>/work)"
    )
    parser.add_argument(
        "--threads", type=int, help="CPU threads for torch (default: its own choice, one per core)"
    )
    parser.add_argument(
        "--extend",
        type=Path,
        metavar="BUNDLE",
        help="add the chapter stages to BUNDLE (made by this preset) from its shipped weights",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stage", metavar="NAME", help="compute one stage (its needs must be finished)")
    mode.add_argument("--plan", action="store_true", help="print the stage graph and exit")
    mode.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run the stages as Ray tasks: on a local cluster of this machine's cores, or at ADDRESS "
        "(every node must reach --work and --data at the same paths); needs `pip install -e '.[cluster]'`",
    )
    args = parser.parse_args(argv)
    out = args.out or Path("runs") / args.preset / "bundle"
    work = args.work or Path("runs") / args.preset / ("extend-work" if args.extend else "work")
    cfg = PRESETS[args.preset]()
    if args.plan:
        print(plan(cfg, torch.device(args.device), work))
        return 0
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no CUDA device")
    if (out / "manifest.json").exists() and not args.force and not args.stage:
        parser.error(f"{out} already holds a bundle; pass --force to replace it, or another --out")
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    device = torch.device(args.device)
    try:
        if args.stage:
            run_one(cfg, args.data, device, work, args.stage)
            print(f"stage {args.stage} done in {work} after {time.perf_counter() - start:.1f} s")
            return 0
        if args.extend:
            manifest = extend(cfg, args.data, args.extend, out, work)
        elif args.ray:
            from precompute.ray_runner import ray_executor

            manifest = run(cfg, args.data, device, out, work, ray_executor(args.ray, args.threads))
        else:
            manifest = run(cfg, args.data, device, out, work)
    except (DataError, StageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(manifest.files)} files to {out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
