"""The driver: walks the stage graph (precompute.stages), then writes the bundle from the work dir.

`run` computes every unfinished stage in order, or leaves that to an executor (the Ray runner) and
only exports; `run_one` computes one stage for `--stage`; `extend` runs the stages that a shipped
bundle made by older code lacks, from its own weights. Every finished stage stays in the work dir, so
any of them resumes after a kill.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import torch

from precompute.config import TRAIN_EPS_255, PipelineConfig, model_id
from precompute.documents import bundle_files, model_info, run_file
from precompute.provenance import now, provenance
from precompute.stages import (
    BundleInputs,
    Inputs,
    MissingStage,
    Stage,
    StageError,
    compute_stage,
    graph,
    load_data,
)
from precompute.train import build
from precompute.workspace import Workspace, as_json, only_adds, write_bundle
from tour import schema
from tour.bundle import BundleError, dump_json, read_files
from tour.model import parameter_count
from tour.runtime import train_precision

REPO = Path(__file__).resolve().parent.parent
BUNDLE_RUN = REPO / "data" / "bundle" / "run.json"  # the last recorded run, for --plan's estimates

Executor = Callable[[Inputs, str, list[Stage]], None]  # computes every stage: in order here, or on Ray


def open_inputs(cfg: PipelineConfig, data_spec: str, device: torch.device, work: Path) -> Inputs:
    """Load the data and claim the work dir for this config and dataset."""
    inp = Inputs(cfg, load_data(data_spec), device, Workspace(work))
    inp.ws.claim({"config": cfg.as_dict(), "data": inp.source.model_dump()})
    return inp


def walk(inp: Inputs, data_spec: str, stages: list[Stage]) -> None:
    """The sequential executor: every stage in graph order, in this process."""
    for stage in stages:
        compute_stage(stage, inp)


def run(
    cfg: PipelineConfig,
    data_spec: str,
    device: torch.device,
    out: Path,
    work: Path,
    execute: Executor = walk,
) -> schema.Manifest:
    start = time.perf_counter()
    prov = provenance(REPO, device)  # the code as it starts, not as the tree is when it ends
    inp = open_inputs(cfg, data_spec, device, work)
    data = schema.StageTiming(name="data", wall_seconds=time.perf_counter() - start)
    stages = graph(cfg)
    execute(inp, data_spec, stages)
    return _export(cfg, inp, stages, out, prov, data)


def run_one(cfg: PipelineConfig, data_spec: str, device: torch.device, work: Path, name: str) -> None:
    """`--stage NAME`: compute one stage from the shared work dir; refuse if a stage it needs is not done."""
    stage = next((s for s in graph(cfg) if s.name == name), None)
    if stage is None:
        raise StageError(f"no stage {name!r} in preset {cfg.preset!r}; --plan lists them")
    compute_stage(stage, open_inputs(cfg, data_spec, device, work))


def _export(
    cfg: PipelineConfig,
    inp: Inputs,
    stages: list[Stage],
    out: Path,
    prov: dict,
    data: schema.StageTiming,
) -> schema.Manifest:
    start = time.perf_counter()
    for stage in stages:  # an executor that returned early must not leave a partial bundle
        if not inp.ws.done(stage.name):
            raise MissingStage(f"stage {stage.name} has not finished in {inp.ws.root}")
    timings = [data, *(t for s in stages if (t := inp.ws.timing(s.name)) is not None)]
    mids = [model_id(e) for e in TRAIN_EPS_255]
    results = {mid: inp.state(mid) for mid in mids}
    parameters = parameter_count(build(cfg.train, cfg.seed, "regular", torch.device("cpu")))
    precision = train_precision(cfg.train.precision, inp.device)
    infos = {
        model_id(e): model_info(cfg, e, results[model_id(e)], inp.source.n_holdout, parameters, precision)
        for e in TRAIN_EPS_255
    }
    s = inp.splits
    weights = {mid: inp.weights(mid) for mid in mids}
    files = bundle_files(
        cfg, infos, results, weights, inp.source.n_test, s.x_test, s.y_test, inp.gallery_idx, inp.order
    )
    files.update(_measured_files(inp.ws, stages))
    timings.append(schema.StageTiming(name="export", wall_seconds=time.perf_counter() - start))
    doc = run_file(cfg, inp.source, list(infos.values()), timings, prov | {"created": now()})
    files["run.json"] = dump_json(doc)
    write_bundle(out, files, cfg.preset)
    return schema.Manifest.model_validate_json((out / "manifest.json").read_bytes())


def _measured_files(ws: Workspace, stages: list[Stage]) -> dict[str, bytes]:
    """Every stage's files but the trainings' (their results become weights and curves)."""
    files: dict[str, bytes] = {}
    for stage in stages:
        if not stage.name.startswith("train_"):
            files.update(ws.load(stage.name) or {})
    return files


def extend(cfg: PipelineConfig, data_spec: str, source: Path, out: Path, work: Path) -> schema.Manifest:
    """Add the stages marked `extends` to the bundle in `source` from its own weights, writing `out`
    (which may be `source`): the same files a full run would have written; run.json records it."""
    try:
        preset, files = read_files(source)
        run_doc = schema.RunFile.model_validate_json(files["run.json"])
        gallery_doc = schema.GalleryFile.model_validate_json(files["gallery.json"])
    except (BundleError, KeyError, ValueError) as e:
        raise SystemExit(f"{source}: not a bundle this run can extend ({e})") from None
    if preset != cfg.preset or not only_adds(run_doc.config, as_json(cfg.as_dict())):
        raise SystemExit(f"{source} was made with another config than preset {cfg.preset!r} of this code")
    cpu = torch.device("cpu")
    prov = provenance(REPO, cpu)
    cifar = load_data(data_spec)
    if cifar.sha256 != run_doc.data.sha256:
        raise SystemExit(f"{data_spec} is not the dataset {source} was made from (sha256 differs)")
    ws = Workspace(work)
    ws.claim({"config": cfg.as_dict(), "data": run_doc.data.model_dump(), "extends": run_doc.created})
    weights = {w.model_id: files[w.path] for w in run_doc.weights}
    inp = BundleInputs(cfg, cifar, ws, weights, [im.test_index for im in gallery_doc.images])
    stages = [s for s in graph(cfg) if s.extends]  # the trajectories too: the lab retraces them
    for stage in stages:
        compute_stage(stage, inp)
    files = {k: v for k, v in files.items() if k != "manifest.json"}
    files.update(_measured_files(ws, stages))
    timings = [t for s in stages if (t := ws.timing(s.name)) is not None]
    extension = schema.Extension(stages=timings, **prov)
    run_doc = run_doc.model_copy(
        update={"config": cfg.as_dict(), "extensions": [*run_doc.extensions, extension]}
    )
    files["run.json"] = dump_json(schema.RunFile.model_validate(run_doc.model_dump()))
    write_bundle(out, files, cfg.preset)
    return schema.Manifest.model_validate_json((out / "manifest.json").read_bytes())


def plan(cfg: PipelineConfig, device: torch.device, work: Path) -> str:
    """The graph as a table: stage, what it needs, its resources, minutes last time, and state."""
    last = _last_minutes(cfg)
    ws = Workspace(work)
    gpu = device.type == "cuda"
    rows = [("stage", "needs", "resources", "minutes", "state")]
    for s in graph(cfg):
        needs = ", ".join(s.needs) if len(s.needs) <= 2 else f"{len(s.needs)} stages: {s.needs[0]}, ..."
        res = "1 GPU" if gpu and s.on_device else "CPU"
        minutes = f"{last[s.name]:.1f}" if s.name in last else "-"
        rows.append((s.name, needs or "-", res, minutes, "done" if ws.done(s.name) else "to do"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _last_minutes(cfg: PipelineConfig) -> dict[str, float]:
    """Each stage's minutes in the shipped bundle's run, if it was made with this preset."""
    try:
        doc = schema.RunFile.model_validate_json(BUNDLE_RUN.read_bytes())
    except (OSError, ValueError):
        return {}
    if doc.preset != cfg.preset:
        return {}
    stages = [*doc.stages, *(t for e in doc.extensions for t in e.stages)]
    return {t.name: t.wall_seconds / 60 for t in stages}
