"""What a precompute run cost, read from the bundle it wrote: minutes per stage, seconds and
training images per second per kind of epoch, and the accuracies the issue's targets name.

    .venv/bin/python -m bench.precompute_report [--bundle data/bundle] [--record]

Everything comes from the bundle's own run.json, training.json and evaluation.json (the pipeline
timed each stage and epoch as it ran), so the record matches the committed bundle exactly.
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

from bench.wrk import record
from tour import schema
from tour.bundle import load_bundle

REPO = Path(__file__).resolve().parent.parent


def cpu_name() -> str:
    info = Path("/proc/cpuinfo")
    found = re.search(r"model name\s*:\s*(.+)", info.read_text()) if info.exists() else None
    return found.group(1).strip() if found else "unknown CPU"


def report(bundle_dir: Path) -> str:
    b = load_bundle(bundle_dir)
    run = b.doc("run.json", schema.RunFile)
    training = b.doc("training.json", schema.TrainingFile)
    evaluation = b.doc("evaluation.json", schema.EvaluationFile)
    total = sum(s.wall_seconds for s in run.stages)
    study = set()  # the capacity study's stages: its budget is its own (extensions may add it)
    if "capacity.json" in b.docs:
        study = {"capacity", *(f"train_{m.id}" for m in b.doc("capacity.json", schema.CapacityFile).models)}
    studied = sum(s.wall_seconds for s in run.stages if s.name in study)
    subtotals = (
        [
            f"| all but the capacity study | {(total - studied) / 60:.1f} |",
            f"| the capacity study | {studied / 60:.1f} |",
        ]
        if studied
        else []
    )
    lines = [
        f"`{run.preset}` preset, bundle created {run.created[:16]} UTC at commit {run.commit[:7]}"
        f"{' (dirty)' if run.dirty else ''}, on {run.device}: CPU kernels {run.cpu_capability} on a "
        f"host with {run.host_isa} ({cpu_name()} where this report ran). Minutes per stage as the "
        "pipeline timed them (`python -m bench.precompute_report`):",
        "",
        "| stage | minutes |",
        "| --- | ---: |",
        *(f"| {s.name} | {s.wall_seconds / 60:.1f} |" for s in run.stages),
        *subtotals,
        f"| **all stages** | **{total / 60:.1f}** |",
        "",
        "| model | training attack | epochs | median s/epoch | training images/s |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for h in training.models:
        secs = [r.seconds for r in h.epochs]
        attack = h.model.train_attack.name if h.model.train_attack else "none"
        med = statistics.median(secs)
        lines.append(f"| {h.model.id} | {attack} | {len(secs)} | {med:.0f} | {run.data.n_train / med:,.0f} |")
    lines += ["", "| model | measurement | accuracy | 95 % interval | n |"]
    lines += ["| --- | --- | ---: | --- | ---: |"]
    for m in evaluation.models:
        for r in [*m.results, *m.same_images]:
            a = r.accuracy
            interval = f"{100 * a.low:.1f} to {100 * a.high:.1f} %"
            lines.append(f"| {m.model_id} | {r.name} | {100 * a.value:.1f} % | {interval} | {a.n:,} |")
    for e in run.extensions:
        lines += [
            "",
            f"Extended {e.created[:16]} UTC at commit {e.commit[:7]}{' (dirty)' if e.dirty else ''} "
            f"(`python -m precompute --extend`), on {e.device}: CPU kernels {e.cpu_capability} on a host "
            f"with {e.host_isa}.",
            "",
            "| stage | minutes |",
            "| --- | ---: |",
            *(f"| {t.name} | {t.wall_seconds / 60:.1f} |" for t in e.stages),
            f"| **all stages** | **{sum(t.wall_seconds for t in e.stages) / 60:.1f}** |",
        ]
    if "capacity.json" in b.docs:
        cap = b.doc("capacity.json", schema.CapacityFile)
        timing = {t.name: t.wall_seconds for e in run.extensions for t in e.stages}
        timing |= {t.name: t.wall_seconds for t in run.stages}
        lines += [
            "",
            "| capacity model | width | last stage | parameters | epochs | s/epoch | clean | PGD-10 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for m in cap.models:
            per_epoch = timing.get(f"train_{m.id}", 0.0) / m.epochs
            lines.append(
                f"| {m.id} | {m.width} | {m.last_stage} | {m.parameters:,} | {m.epochs} | {per_epoch:.0f} | "
                f"{_acc(m.clean)} | {_acc(m.robust)} |"
            )
    size = sum(e.bytes for e in b.manifest.files)
    lines += ["", f"Bundle: {len(b.manifest.files)} files, {size / 1e6:.1f} MB."]
    return "\n".join(lines)


def _acc(a: schema.Accuracy) -> str:
    return f"{100 * a.value:.1f} % ({100 * a.low:.1f} to {100 * a.high:.1f}, n = {a.n:,})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.precompute_report", description=__doc__)
    parser.add_argument("--bundle", type=Path, default=REPO / "data" / "bundle")
    parser.add_argument("--record", action="store_true", help="write the 'Precompute run' section")
    args = parser.parse_args(argv)
    body = report(args.bundle)
    print(body)
    if args.record:
        record("Precompute run", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
