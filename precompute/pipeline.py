"""The driver: runs the stages in order, keeps each finished one in the work dir, writes the bundle.

Stages: data -> train_<model> (x6, checkpointed every epoch) -> trajectories -> sweep ->
evaluation -> transfer -> the chapters (paint, saliency, input_landscape, weight_landscape) -> export.
A finished stage leaves its files and then a marker in <work>/stages/, so a rerun after a kill skips
it; an unfinished training stage resumes from its last epoch checkpoint. `extend` runs the trajectories
(which the lab retraces) and the chapter stages alone on a shipped bundle's weights, for a bundle made
before they existed (the models are the same floats either way: every stage after training uses the
exported fp16 weights), then the capacity study, which trains models of its own.
This module and the CLI are the only ones that touch the disk.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from precompute.accuracy import probabilities
from precompute.capacity import capacity_file, capacity_model
from precompute.config import SHOWN_IDS, TEST_EPS_255, TRAIN_EPS_255, PipelineConfig, TrainConfig, model_id
from precompute.data import Cifar, Splits, examples_first, gallery_indices, load_cifar, split, synthetic_cifar
from precompute.documents import (
    gallery,
    label,
    probe_measurements,
    selection,
    testset,
    trajectories,
)
from precompute.evaluation import evaluate_model
from precompute.landscape import input_landscape_file, weight_landscape_file
from precompute.paint import neutral_start, paint_file
from precompute.provenance import device_name, git_state, now, versions
from precompute.saliency import saliency_file
from precompute.sweep import sweep_file, sweep_row
from precompute.train import (
    RESUME_GROUPS,
    TrainData,
    TrainState,
    build,
    state_from_bytes,
    state_to_bytes,
    train,
)
from precompute.transfer import transfer_file
from tour import schema
from tour.bundle import BundleError, atomic_write_bytes, dump_json, read_files, write_manifest
from tour.isa import capability, host_isa
from tour.model import parameter_count
from tour.runtime import nchw, one_thread, train_precision
from tour.trajectories import attack_images, trajectory_seed
from tour.weights import export_bytes, model_from_bytes

REPO = Path(__file__).resolve().parent.parent
BUNDLE_SUFFIXES = (".json", ".png", ".webp", ".safetensors")
SYNTHETIC = "synthetic"  # --data synthetic: generated stand-in data (tests and smoke runs)
CHAPTER_STAGES = ("paint", "saliency", "input_landscape", "weight_landscape")  # on the shown models


@dataclass(frozen=True)
class Workspace:
    """stages/<name>/ holds a stage's files; stages/<name>.json, written last, marks it done."""

    root: Path

    def marker(self, name: str) -> Path:
        return self.root / "stages" / f"{name}.json"

    def load(self, name: str) -> tuple[dict[str, bytes], schema.StageTiming] | None:
        if not self.marker(name).is_file():
            return None
        meta = json.loads(self.marker(name).read_text())
        files = {rel: (self.root / "stages" / name / rel).read_bytes() for rel in meta["files"]}
        return files, schema.StageTiming.model_validate(meta["timing"])

    def save(self, name: str, files: dict[str, bytes], timing: schema.StageTiming) -> None:
        for rel, data in files.items():
            atomic_write_bytes(self.root / "stages" / name / rel, data)
        meta = {"files": sorted(files), "timing": timing.model_dump()}
        atomic_write_bytes(self.marker(name), json.dumps(meta).encode())


def run_stage(
    ws: Workspace,
    name: str,
    device: torch.device,
    compute: Callable[[], tuple[dict[str, bytes], float | None]],
) -> dict[str, bytes]:
    """Load a finished stage or compute it; `compute` may report its own seconds (resumed training)."""
    done = ws.load(name)
    if done is not None:
        return done[0]
    start = time.perf_counter()
    files, seconds = compute()
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - start if seconds is None else seconds
    ws.save(
        name,
        files,
        schema.StageTiming(name=name, wall_seconds=wall, gpu_seconds=wall if device.type == "cuda" else None),
    )
    return files


def load_data(spec: str) -> Cifar:
    return synthetic_cifar(n_train=350, n_test=100) if spec == SYNTHETIC else load_cifar(Path(spec))


def _check_work_dir(ws: Workspace, identity: dict) -> None:
    """Refuse a work dir of another run. A config that only adds sections (a stage added after the
    others, e.g. `transfer`) is the same run: its finished stages are loaded, the new ones computed."""
    path = ws.root / "config.json"
    identity = _as_json(identity)  # tuples -> lists, as they come back from disk
    if path.is_file():
        stored = json.loads(path.read_text())
        same = (
            stored.get("data") == identity["data"]
            and stored.get("extends") == identity.get("extends")
            and _only_adds(stored.get("config", {}), identity["config"])
        )
        if not same:
            raise SystemExit(
                f"{ws.root} holds a run with another config or dataset; remove it or pass another --work"
            )
    atomic_write_bytes(path, json.dumps(identity, sort_keys=True).encode())


def write_bundle(out: Path, files: dict[str, bytes], preset: schema.Preset) -> None:
    """Unlink the old manifest, replace the files, drop stale bundle files, write the manifest last."""
    (out / "manifest.json").unlink(missing_ok=True)
    if out.is_dir():
        for path in [p for p in out.rglob("*") if p.is_file()]:
            rel = path.relative_to(out).as_posix()
            if rel in files or path.name.startswith("."):
                continue
            if path.suffix not in BUNDLE_SUFFIXES:
                raise SystemExit(f"{out} holds {rel}, which is not bundle output; choose an empty --out")
            path.unlink()
    for rel, data in files.items():
        atomic_write_bytes(out / rel, data)
    write_manifest(out, preset)


def run(cfg: PipelineConfig, data_spec: str, device: torch.device, out: Path, work: Path) -> schema.Manifest:
    ws = Workspace(work)
    timings: list[schema.StageTiming] = []
    start = time.perf_counter()
    commit, dirty = git_state(REPO)  # the code as it starts, not as the tree is when it ends
    cifar = load_data(data_spec)
    splits = split(cifar, cfg.data.n_train, cfg.data.n_holdout)
    pool = gallery_indices(splits.y_test, cfg.trajectories.gallery_size)
    source = schema.DataSource(
        kind=cifar.kind,
        sha256=cifar.sha256,
        n_train=len(splits.x_train),
        n_holdout=len(splits.x_holdout),
        n_test=len(splits.x_test),
    )
    _check_work_dir(ws, {"config": cfg.as_dict(), "data": source.model_dump()})
    data = _train_data(cfg, splits, pool, device)
    timings.append(schema.StageTiming(name="data", wall_seconds=time.perf_counter() - start))

    results: dict[str, TrainState] = {}
    for eps255 in TRAIN_EPS_255:
        mid = model_id(eps255)
        results[mid] = state_from_bytes(
            run_stage(
                ws,
                f"train_{mid}",
                device,
                functools.partial(_train_stage, cfg.train, cfg.seed, ws, data, mid, eps255),
            )["result.safetensors"]
        )
    weights = {mid: export_bytes(r.best, cfg.train.width, mid) for mid, r in results.items()}
    models = {mid: model_from_bytes(w) for mid, w in weights.items()}
    order = examples_first(
        len(pool), _clean_correct(models["regular"], splits.x_test[pool], splits.y_test[pool])
    )
    gallery_idx = [pool[p] for p in order]

    traj_files = run_stage(
        ws,
        "trajectories",
        device,
        lambda: _trajectory_stage(cfg, models, splits.x_test, splits.y_test, gallery_idx),
    )

    x_test, y_test = nchw(splits.x_test, device), torch.from_numpy(splits.y_test).to(device)
    sweep_files = run_stage(ws, "sweep", device, lambda: _sweep_stage(cfg, models, x_test, y_test, device))
    eval_files = run_stage(
        ws, "evaluation", device, lambda: _evaluation_stage(cfg, models, x_test, y_test, device)
    )
    transfer_files = run_stage(ws, "transfer", device, lambda: _transfer_stage(cfg, models, x_test, y_test))
    chapter_files = _chapter_stages(ws, cfg, models, splits, gallery_idx, device)
    chapter_files.update(_capacity_stages(ws, cfg, data, x_test, y_test, device))

    export_start = time.perf_counter()
    stages = (
        *(f"train_{model_id(e)}" for e in TRAIN_EPS_255),
        "trajectories",
        "sweep",
        "evaluation",
        "transfer",
        *CHAPTER_STAGES,
        *capacity_stage_names(cfg),
    )
    for name in stages:
        done = ws.load(name)
        assert done is not None  # every stage ran or was loaded above
        timings.append(done[1])
    infos = {
        model_id(e): _model_info(cfg, e, results[model_id(e)], source.n_holdout, device)
        for e in TRAIN_EPS_255
    }
    files = _bundle_files(
        cfg, infos, results, weights, source, splits.x_test, splits.y_test, gallery_idx, order
    )
    files.update(traj_files)
    files["sweep.json"] = sweep_files["sweep.json"]
    files["evaluation.json"] = eval_files["evaluation.json"]
    files["transfer.json"] = transfer_files["transfer.json"]
    files.update(chapter_files)
    timings.append(schema.StageTiming(name="export", wall_seconds=time.perf_counter() - export_start))
    files["run.json"] = dump_json(
        _run_file(cfg, source, list(infos.values()), device, timings, commit, dirty)
    )
    write_bundle(out, files, cfg.preset)
    return schema.Manifest.model_validate_json((out / "manifest.json").read_bytes())


def _chapter_stages(
    ws: Workspace, cfg: PipelineConfig, models, splits: Splits, gallery_idx: list[int], device: torch.device
) -> dict[str, bytes]:
    """The chapters beyond the seed, on the figures' two models (regular first), on the CPU: the lab
    computes the same pictures and surfaces there. Returns their bundle files."""
    shown = {mid: models[mid].cpu() for mid in SHOWN_IDS}
    examples = gallery_idx[: len(schema.CLASSES)]
    labels = [int(splits.y_test[i]) for i in examples]
    cpu = torch.device("cpu")
    x_test, y_test = nchw(splits.x_test, cpu), torch.from_numpy(splits.y_test)

    def paint():
        neutral = neutral_start(splits.x_train)
        doc, files = paint_file(shown, splits.x_test[examples], examples, labels, neutral, cfg.paint)
        return {"paint.json": dump_json(doc), **files}, None

    def saliency():
        xg, yg = x_test[gallery_idx], y_test[gallery_idx]
        doc, files = saliency_file(shown, xg, yg, x_test, y_test, cfg.saliency, cfg.seed)
        return {"saliency.json": dump_json(doc), **files}, None

    def input_space():
        doc = input_landscape_file(
            shown, x_test[examples], labels, examples, x_test, y_test, cfg.input_landscape, cfg.seed
        )
        return {"input_landscape.json": dump_json(doc)}, None

    def weight_space():
        x_train, y_train = nchw(splits.x_train, cpu), torch.from_numpy(splits.y_train)
        doc = weight_landscape_file(shown, x_train, y_train, cfg.weight_landscape, cfg.seed)
        return {"weight_landscape.json": dump_json(doc)}, None

    files: dict[str, bytes] = {}
    for name, compute in zip(CHAPTER_STAGES, (paint, saliency, input_space, weight_space), strict=True):
        files.update(run_stage(ws, name, cpu, compute))
    return files


def extend(cfg: PipelineConfig, data_spec: str, source: Path, out: Path, work: Path) -> schema.Manifest:
    """Add the chapter stages to the bundle in `source` from its own weights, writing `out` (which may
    be `source`): the same files a full run would have written, and run.json records the extension."""
    try:
        preset, files = read_files(source)
        run_doc = schema.RunFile.model_validate_json(files["run.json"])
        gallery_doc = schema.GalleryFile.model_validate_json(files["gallery.json"])
    except (BundleError, KeyError, ValueError) as e:
        raise SystemExit(f"{source}: not a bundle this run can extend ({e})") from None
    if preset != cfg.preset or not _only_adds(run_doc.config, _as_json(cfg.as_dict())):
        raise SystemExit(f"{source} was made with another config than preset {cfg.preset!r} of this code")
    commit, dirty = git_state(REPO)
    cifar = load_data(data_spec)
    if cifar.sha256 != run_doc.data.sha256:
        raise SystemExit(f"{data_spec} is not the dataset {source} was made from (sha256 differs)")
    splits = split(cifar, cfg.data.n_train, cfg.data.n_holdout)
    ws = Workspace(work)
    _check_work_dir(
        ws, {"config": cfg.as_dict(), "data": run_doc.data.model_dump(), "extends": run_doc.created}
    )
    models = {w.model_id: model_from_bytes(files[w.path]) for w in run_doc.weights}
    gallery_idx = [im.test_index for im in gallery_doc.images]
    cpu = torch.device("cpu")
    files = {k: v for k, v in files.items() if k != "manifest.json"}
    # the lab retraces the trajectories: recomputed under this code's kernel pins (tour.isa)
    files.update(
        run_stage(
            ws,
            "trajectories",
            cpu,
            lambda: _trajectory_stage(cfg, models, splits.x_test, splits.y_test, gallery_idx),
        )
    )
    files.update(_chapter_stages(ws, cfg, models, splits, gallery_idx, cpu))
    pool = gallery_indices(splits.y_test, cfg.trajectories.gallery_size)
    x_test, y_test = nchw(splits.x_test, cpu), torch.from_numpy(splits.y_test)
    files.update(_capacity_stages(ws, cfg, _train_data(cfg, splits, pool, cpu), x_test, y_test, cpu))
    timings = []
    for name in ("trajectories", *CHAPTER_STAGES, *capacity_stage_names(cfg)):
        done = ws.load(name)
        assert done is not None  # every chapter stage ran or was loaded above
        timings.append(done[1])
    extension = schema.Extension(
        created=now(),
        commit=commit,
        dirty=dirty,
        device=device_name(cpu),
        cpu_capability=capability(),
        host_isa=host_isa(),
        versions=versions(),
        stages=timings,
    )
    run_doc = run_doc.model_copy(
        update={"config": cfg.as_dict(), "extensions": [*run_doc.extensions, extension]}
    )
    files["run.json"] = dump_json(schema.RunFile.model_validate(run_doc.model_dump()))
    write_bundle(out, files, cfg.preset)
    return schema.Manifest.model_validate_json((out / "manifest.json").read_bytes())


def _as_json(value: dict) -> dict:
    return json.loads(json.dumps(value))


def _only_adds(stored: object, current: object) -> bool:
    """Whether `current` is `stored` with only new keys (a stage or knob added since), at any depth."""
    if isinstance(stored, dict) and isinstance(current, dict):
        return all(k in current and _only_adds(v, current[k]) for k, v in stored.items())
    return stored == current


def _train_data(cfg: PipelineConfig, splits: Splits, pool: list[int], device: torch.device) -> TrainData:
    probe = cfg.train
    n_probe = max(probe.eval_clean_n, probe.eval_pgd_n)
    return TrainData(
        x_train=nchw(splits.x_train, device),
        y_train=torch.from_numpy(splits.y_train).to(device),
        x_holdout=nchw(splits.x_holdout, device),
        y_holdout=torch.from_numpy(splits.y_holdout).to(device),
        x_test=nchw(splits.x_test[:n_probe], device),
        y_test=torch.from_numpy(splits.y_test[:n_probe]).to(device),
        x_gallery=nchw(splits.x_test[pool], device),
    )


def _capacity_stages(
    ws: Workspace,
    cfg: PipelineConfig,
    data: TrainData,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    device: torch.device,
) -> dict[str, bytes]:
    """Train every capacity model (a resumable stage each), then measure them all (`capacity`) on the
    whole test set (uint8 NCHW on `device`); `data` is the training run's, reused."""
    states = {
        mid: state_from_bytes(
            run_stage(
                ws,
                f"train_{mid}",
                device,
                functools.partial(_train_stage, tcfg, cfg.seed, ws, data, mid, eps255),
            )["result.safetensors"]
        )
        for mid, tcfg, eps255 in cfg.capacity_models()
    }

    def measure():
        entries = []
        for mid, tcfg, eps255 in tqdm(cfg.capacity_models(), desc="capacity", unit="model"):
            model = build(tcfg, cfg.seed, mid, device)
            model.load_state_dict(states[mid].best)  # the hold-out's choice, in fp32 (not shipped)
            entries.append(
                capacity_model(mid, tcfg, eps255, model.eval(), states[mid].best_epoch, x_test, y_test, cfg)
            )
        return {"capacity.json": dump_json(capacity_file(entries, len(x_test), cfg))}, None

    return run_stage(ws, "capacity", device, measure)


def capacity_stage_names(cfg: PipelineConfig) -> list[str]:
    return [*(f"train_{mid}" for mid, _, _ in cfg.capacity_models()), "capacity"]


def _clean_correct(model, images: np.ndarray, labels: np.ndarray) -> list[bool]:
    """The exported (fp32, CPU) model's verdict on each image, on one thread like the trajectories."""
    with one_thread():
        probs = probabilities(model.cpu(), nchw(images, torch.device("cpu")))
    return (probs.argmax(1).numpy() == labels).tolist()


def _train_stage(tcfg: TrainConfig, seed: int, ws: Workspace, data: TrainData, mid: str, eps255: int):
    ckpt = ws.root / "train" / mid / "checkpoint.safetensors"
    state = state_from_bytes(ckpt.read_bytes()) if ckpt.is_file() else None
    bar = tqdm(total=tcfg.epochs, initial=state.epoch if state else 0, desc=f"train {mid}", unit="epoch")

    def on_epoch(s: TrainState) -> None:
        atomic_write_bytes(ckpt, state_to_bytes(s, RESUME_GROUPS))
        bar.update(1)
        last = s.history[-1]
        bar.set_postfix(clean=last["clean_acc"]["value"], pgd=last["pgd_acc"]["value"])

    final = train(tcfg, eps255 / 255, data, seed=seed, model_id=mid, state=state, on_epoch=on_epoch)
    bar.close()
    return {"result.safetensors": state_to_bytes(final, ("best",))}, sum(h["seconds"] for h in final.history)


def _trajectory_stage(
    cfg: PipelineConfig, models, x_test: np.ndarray, y_test: np.ndarray, gallery_idx: list[int]
):
    """On the CPU in fp32 with the exported weights and one thread: what the server's live lab
    computes, so it retraces these figures exactly."""
    spec = cfg.trajectories.attack(cfg.seed)  # what runs is what the bundle records
    labels = [int(y_test[i]) for i in gallery_idx]
    seeds = [trajectory_seed(cfg.seed, i) for i in gallery_idx]
    with one_thread():
        attacks = {
            mid: attack_images(models[mid].cpu(), mid, x_test[gallery_idx], labels, seeds, spec)
            for mid in tqdm(SHOWN_IDS, desc="trajectories", unit="model")
        }
    doc, files = trajectories(attacks, gallery_idx, labels, spec)
    return {"trajectories.json": dump_json(doc), **files}, None


def _sweep_stage(
    cfg: PipelineConfig, models, x_test: torch.Tensor, y_test: torch.Tensor, device: torch.device
):
    n = len(x_test) if cfg.sweep.n is None else min(cfg.sweep.n, len(x_test))
    test_eps = [e / 255 for e in TEST_EPS_255]
    rows = [
        sweep_row(
            models[model_id(e)].to(device),
            model_id(e),
            e / 255,
            x_test[:n],
            y_test[:n],
            test_eps,
            cfg.sweep,
            cfg.seed,
        )
        for e in tqdm(TRAIN_EPS_255, desc="sweep", unit="model")
    ]
    return {"sweep.json": dump_json(sweep_file(rows, n, test_eps, cfg.sweep, cfg.seed))}, None


def _evaluation_stage(
    cfg: PipelineConfig, models, x_test: torch.Tensor, y_test: torch.Tensor, device: torch.device
):
    evaluations = [
        evaluate_model(models[mid].to(device), mid, x_test, y_test, cfg.evaluation, cfg.seed)
        for mid in tqdm(cfg.evaluation.models, desc="evaluation", unit="model")
    ]
    return {"evaluation.json": dump_json(schema.EvaluationFile(models=evaluations))}, None


def _transfer_stage(cfg: PipelineConfig, models, x_test: torch.Tensor, y_test: torch.Tensor):
    doc = transfer_file(models, x_test, y_test, cfg.transfer, cfg.seed)  # every model, regular first
    return {"transfer.json": dump_json(doc)}, None


def _model_info(
    cfg: PipelineConfig, eps255: int, state: TrainState, n_holdout: int, device: torch.device
) -> schema.ModelInfo:
    mid = model_id(eps255)
    tcfg = cfg.train
    eps = eps255 / 255
    precision = train_precision(tcfg.precision, device)
    return schema.ModelInfo(
        id=mid,
        label=label(mid, eps),
        train_eps=eps,
        train_attack=tcfg.train_attack(eps, cfg.seed),
        epochs=tcfg.epochs,
        selected_epoch=state.best_epoch,
        selection=selection(tcfg, eps, n_holdout, cfg.seed),
        width=tcfg.width,
        parameters=parameter_count(build(tcfg, cfg.seed, mid, torch.device("cpu"))),
        precision=precision,
        ema=tcfg.ema,
    )


def _bundle_files(
    cfg, infos, results, weights, source, x_test, y_test, gallery_idx, order
) -> dict[str, bytes]:
    clean, robust = probe_measurements(cfg.train, source.n_test, cfg.seed)
    training = schema.TrainingFile(
        clean=clean,
        pgd=robust,
        models=[
            schema.ModelHistory(
                model=infos[mid], epochs=[schema.EpochRecord(**h) for h in results[mid].history]
            )
            for mid in infos
        ],
    )
    epoch_probs = schema.EpochProbsFile(
        measurement=schema.Measurement(split="gallery", first_index=0, n_images=10),
        model_ids=list(SHOWN_IDS),
        probs={
            mid: [[epoch[p] for p in order[:10]] for epoch in results[mid].gallery_probs] for mid in SHOWN_IDS
        },
    )
    labels = [int(y_test[i]) for i in gallery_idx]
    gallery_doc, gallery_png = gallery(x_test[gallery_idx], gallery_idx, labels, n_examples=10)
    testset_doc, testset_pages = testset(x_test, y_test)
    files = {
        "training.json": dump_json(training),
        "epoch_probs.json": dump_json(epoch_probs),
        "gallery.json": dump_json(gallery_doc),
        gallery_doc.sprite: gallery_png,
        "testset.json": dump_json(testset_doc),
        **testset_pages,
    }
    files.update({f"weights/{mid}.safetensors": weights[mid] for mid in infos})
    return files


def _run_file(cfg, source, infos, device, timings, commit, dirty) -> schema.RunFile:
    return schema.RunFile(
        preset=cfg.preset,
        created=now(),
        commit=commit,
        dirty=dirty,
        device=device_name(device),
        cpu_capability=capability(),
        host_isa=host_isa(),
        seed=cfg.seed,
        versions=versions(),
        data=source,
        config=cfg.as_dict(),
        stages=timings,
        models=infos,
        weights=[
            schema.WeightsFile(
                model_id=mid,
                path=f"weights/{mid}.safetensors",
                dtype="float16",
                width=cfg.train.width,
            )
            for mid in (model_id(e) for e in TRAIN_EPS_255)
        ],
    )
