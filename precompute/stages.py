"""The precompute as a graph of stages: what each needs, what it costs, and how it is computed.

A stage is a function of the run's inputs (config, data, the finished stages it needs) that returns
its files; `Inputs` reads those needs from the work dir, so a stage computes the same bytes whether
the sequential run, `--stage NAME` or a Ray task runs it, in this process or another. The list is in
the order a sequential run walks it; `run`, `extend`, `--plan` and the timings all iterate it.

Graph: train_<model> (one per training eps) -> trajectories and the chapters (on the two shown
models) -> sweep, evaluation, transfer (on the models they measure); train_cap_* -> capacity.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch
from tqdm import tqdm

from precompute.accuracy import probabilities
from precompute.capacity import capacity_file, capacity_model
from precompute.config import SHOWN_IDS, TEST_EPS_255, TRAIN_EPS_255, PipelineConfig, TrainConfig, model_id
from precompute.data import Cifar, Splits, examples_first, gallery_indices, load_cifar, split, synthetic_cifar
from precompute.documents import trajectories
from precompute.evaluation import evaluate_model
from precompute.landscape import input_landscape_file, weight_landscape_file
from precompute.paint import neutral_start, paint_file
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
from precompute.workspace import Workspace
from tour import schema
from tour.bundle import atomic_write_bytes, dump_json
from tour.runtime import nchw, one_thread
from tour.trajectories import attack_images, trajectory_seed
from tour.weights import export_bytes, model_from_bytes

SYNTHETIC = "synthetic"  # --data synthetic: generated stand-in data (tests and smoke runs)
CHAPTER_STAGES = ("paint", "saliency", "input_landscape", "weight_landscape")  # on the shown models
CPU = torch.device("cpu")

Files = dict[str, bytes]


def load_data(spec: str) -> Cifar:
    return synthetic_cifar(n_train=350, n_test=100) if spec == SYNTHETIC else load_cifar(Path(spec))


class Inputs:
    """What stages read: the data, and the finished stages' outputs from the work dir, each loaded
    once per process. Models are rebuilt fresh for every stage from the exported fp16 weights, so no
    stage sees what another did to a model in memory."""

    def __init__(self, cfg: PipelineConfig, cifar: Cifar, device: torch.device, ws: Workspace) -> None:
        self.cfg, self.cifar, self.device, self.ws = cfg, cifar, device, ws
        self._weights: dict[str, bytes] = {}

    @cached_property
    def splits(self) -> Splits:
        return split(self.cifar, self.cfg.data.n_train, self.cfg.data.n_holdout)

    @cached_property
    def source(self) -> schema.DataSource:
        s = self.splits
        return schema.DataSource(
            kind=self.cifar.kind,
            sha256=self.cifar.sha256,
            n_train=len(s.x_train),
            n_holdout=len(s.x_holdout),
            n_test=len(s.x_test),
        )

    @cached_property
    def pool(self) -> list[int]:
        return gallery_indices(self.splits.y_test, self.cfg.trajectories.gallery_size)

    @cached_property
    def train_data(self) -> TrainData:
        s, probe = self.splits, self.cfg.train
        n_probe = max(probe.eval_clean_n, probe.eval_pgd_n)
        d = self.device
        return TrainData(
            x_train=nchw(s.x_train, d),
            y_train=torch.from_numpy(s.y_train).to(d),
            x_holdout=nchw(s.x_holdout, d),
            y_holdout=torch.from_numpy(s.y_holdout).to(d),
            x_test=nchw(s.x_test[:n_probe], d),
            y_test=torch.from_numpy(s.y_test[:n_probe]).to(d),
            x_gallery=nchw(s.x_test[self.pool], d),
        )

    def ready(self, stage: str) -> bool:
        """Whether a stage's output is there for the stages that need it."""
        return self.ws.done(stage)

    def test_tensors(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """The whole test set as uint8 NCHW and labels on `device`."""
        return nchw(self.splits.x_test, device), torch.from_numpy(self.splits.y_test).to(device)

    def state(self, mid: str) -> TrainState:
        files = self.ws.load(f"train_{mid}")
        if files is None:
            raise MissingStage(f"stage train_{mid} has not finished in {self.ws.root}")
        return state_from_bytes(files["result.safetensors"])

    def weights(self, mid: str) -> bytes:
        """The shipped fp16 weights of a trained model: every stage after training measures these."""
        if mid not in self._weights:
            self._weights[mid] = export_bytes(self.state(mid).best, self.cfg.train.width, mid)
        return self._weights[mid]

    def model(self, mid: str, device: torch.device) -> torch.nn.Module:
        return model_from_bytes(self.weights(mid)).to(device)

    @cached_property
    def order(self) -> list[int]:
        """Gallery pool positions, the examples (images the regular model knows) first."""
        with one_thread():
            probs = probabilities(self.model("regular", CPU), nchw(self.splits.x_test[self.pool], CPU))
        correct = (probs.argmax(1).numpy() == self.splits.y_test[self.pool]).tolist()
        return examples_first(len(self.pool), correct)

    @cached_property
    def gallery_idx(self) -> list[int]:
        return [self.pool[p] for p in self.order]


class BundleInputs(Inputs):
    """`extend`: the models and the gallery come from a shipped bundle instead of training stages."""

    def __init__(
        self,
        cfg: PipelineConfig,
        cifar: Cifar,
        ws: Workspace,
        weights: dict[str, bytes],
        gallery_idx: list[int],
    ) -> None:
        super().__init__(cfg, cifar, CPU, ws)
        self._weights = dict(weights)
        self.__dict__["gallery_idx"] = gallery_idx  # the bundle's, in place of the cached property

    def ready(self, stage: str) -> bool:
        return stage.removeprefix("train_") in self._weights or super().ready(stage)


class StageError(Exception):
    """A stage that cannot run: unknown, or a stage it needs has not finished (the CLI exits 2)."""


class MissingStage(StageError):
    """A stage's input stage has not finished."""


@dataclass(frozen=True)
class Stage:
    name: str
    needs: tuple[str, ...]
    compute: Callable[[Inputs], tuple[Files, float | None]]  # files, and seconds if it times itself
    on_device: bool  # runs on the run's --device (training and the batched measurements); else the CPU
    extends: bool = False  # also run by `extend` on a shipped bundle's weights


def graph(cfg: PipelineConfig) -> list[Stage]:
    """Every stage of a run, in the order a sequential run computes them."""
    trains = [f"train_{model_id(e)}" for e in TRAIN_EPS_255]
    shown = tuple(f"train_{mid}" for mid in SHOWN_IDS)
    out = [
        Stage(f"train_{model_id(e)}", (), functools.partial(_train, cfg.train, model_id(e), e), True)
        for e in TRAIN_EPS_255
    ]
    out += [
        Stage("trajectories", shown, _trajectories, False, extends=True),
        Stage("sweep", tuple(trains), _sweep, True),
        Stage("evaluation", tuple(f"train_{m}" for m in cfg.evaluation.models), _evaluation, True),
        Stage("transfer", tuple(trains), _transfer, True),
    ]
    out += [Stage(name, shown, compute, False, extends=True) for name, compute in CHAPTERS.items()]
    caps = cfg.capacity_models()
    out += [
        Stage(f"train_{mid}", (), functools.partial(_train, tcfg, mid, eps255), True, extends=True)
        for mid, tcfg, eps255 in caps
    ]
    out.append(Stage("capacity", tuple(f"train_{mid}" for mid, _, _ in caps), _capacity, True, extends=True))
    return out


def compute_stage(stage: Stage, inp: Inputs) -> Files:
    """Load a finished stage or compute it and record it, after checking its needs are done."""
    done = inp.ws.load(stage.name)
    if done is not None:
        return done
    missing = [n for n in stage.needs if not inp.ready(n)]
    if missing:
        raise MissingStage(f"stage {stage.name} needs {', '.join(missing)}, not finished in {inp.ws.root}")
    device = inp.device if stage.on_device else CPU
    start = time.perf_counter()
    files, seconds = stage.compute(inp)
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - start if seconds is None else seconds
    gpu = wall if device.type == "cuda" else None
    inp.ws.save(stage.name, files, schema.StageTiming(name=stage.name, wall_seconds=wall, gpu_seconds=gpu))
    return files


# ------------------------------------------------------------------ the stages


def _train(tcfg: TrainConfig, mid: str, eps255: int, inp: Inputs) -> tuple[Files, float]:
    """One model, checkpointed every epoch; a rerun resumes from the last checkpoint."""
    ckpt = inp.ws.checkpoint(mid)
    state = state_from_bytes(ckpt.read_bytes()) if ckpt.is_file() else None
    bar = tqdm(total=tcfg.epochs, initial=state.epoch if state else 0, desc=f"train {mid}", unit="epoch")

    def on_epoch(s: TrainState) -> None:
        atomic_write_bytes(ckpt, state_to_bytes(s, RESUME_GROUPS))
        bar.update(1)
        last = s.history[-1]
        bar.set_postfix(clean=last["clean_acc"]["value"], pgd=last["pgd_acc"]["value"])

    seed = inp.cfg.seed
    final = train(tcfg, eps255 / 255, inp.train_data, seed=seed, model_id=mid, state=state, on_epoch=on_epoch)
    bar.close()
    return {"result.safetensors": state_to_bytes(final, ("best",))}, sum(h["seconds"] for h in final.history)


def _trajectories(inp: Inputs) -> tuple[Files, None]:
    """On the CPU in fp32 with the exported weights and one thread: what the server's live lab
    computes, so it retraces these figures exactly."""
    cfg, s, idx = inp.cfg, inp.splits, inp.gallery_idx
    spec = cfg.trajectories.attack(cfg.seed)  # what runs is what the bundle records
    labels = [int(s.y_test[i]) for i in idx]
    seeds = [trajectory_seed(cfg.seed, i) for i in idx]
    with one_thread():
        attacks = {
            mid: attack_images(inp.model(mid, CPU), mid, s.x_test[idx], labels, seeds, spec)
            for mid in tqdm(SHOWN_IDS, desc="trajectories", unit="model")
        }
    doc, files = trajectories(attacks, idx, labels, spec)
    return {"trajectories.json": dump_json(doc), **files}, None


def _sweep(inp: Inputs) -> tuple[Files, None]:
    cfg = inp.cfg
    x_test, y_test = inp.test_tensors(inp.device)
    n = len(x_test) if cfg.sweep.n is None else min(cfg.sweep.n, len(x_test))
    test_eps = [e / 255 for e in TEST_EPS_255]
    rows = [
        sweep_row(
            inp.model(model_id(e), inp.device),
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


def _evaluation(inp: Inputs) -> tuple[Files, None]:
    cfg = inp.cfg
    x_test, y_test = inp.test_tensors(inp.device)
    evaluations = [
        evaluate_model(inp.model(mid, inp.device), mid, x_test, y_test, cfg.evaluation, cfg.seed)
        for mid in tqdm(cfg.evaluation.models, desc="evaluation", unit="model")
    ]
    return {"evaluation.json": dump_json(schema.EvaluationFile(models=evaluations))}, None


def _transfer(inp: Inputs) -> tuple[Files, None]:
    x_test, y_test = inp.test_tensors(inp.device)
    models = {model_id(e): inp.model(model_id(e), inp.device) for e in TRAIN_EPS_255}  # regular first
    doc = transfer_file(models, x_test, y_test, inp.cfg.transfer, inp.cfg.seed)
    return {"transfer.json": dump_json(doc)}, None


def _shown(inp: Inputs) -> dict[str, torch.nn.Module]:
    """The figures' two models (regular first), on the CPU: the lab computes the same pictures there."""
    return {mid: inp.model(mid, CPU) for mid in SHOWN_IDS}


def _examples(inp: Inputs) -> tuple[list[int], list[int]]:
    examples = inp.gallery_idx[: len(schema.CLASSES)]
    return examples, [int(inp.splits.y_test[i]) for i in examples]


def _paint(inp: Inputs) -> tuple[Files, None]:
    examples, labels = _examples(inp)
    neutral = neutral_start(inp.splits.x_train)
    doc, files = paint_file(
        _shown(inp), inp.splits.x_test[examples], examples, labels, neutral, inp.cfg.paint
    )
    return {"paint.json": dump_json(doc), **files}, None


def _saliency(inp: Inputs) -> tuple[Files, None]:
    x_test, y_test = inp.test_tensors(CPU)
    xg, yg = x_test[inp.gallery_idx], y_test[inp.gallery_idx]
    doc, files = saliency_file(_shown(inp), xg, yg, x_test, y_test, inp.cfg.saliency, inp.cfg.seed)
    return {"saliency.json": dump_json(doc), **files}, None


def _input_landscape(inp: Inputs) -> tuple[Files, None]:
    examples, labels = _examples(inp)
    x_test, y_test = inp.test_tensors(CPU)
    doc = input_landscape_file(
        _shown(inp), x_test[examples], labels, examples, x_test, y_test, inp.cfg.input_landscape, inp.cfg.seed
    )
    return {"input_landscape.json": dump_json(doc)}, None


def _weight_landscape(inp: Inputs) -> tuple[Files, None]:
    x_train, y_train = nchw(inp.splits.x_train, CPU), torch.from_numpy(inp.splits.y_train)
    doc = weight_landscape_file(_shown(inp), x_train, y_train, inp.cfg.weight_landscape, inp.cfg.seed)
    return {"weight_landscape.json": dump_json(doc)}, None


CHAPTERS: dict[str, Callable[[Inputs], tuple[Files, None]]] = dict(
    zip(CHAPTER_STAGES, (_paint, _saliency, _input_landscape, _weight_landscape), strict=True)
)


def _capacity(inp: Inputs) -> tuple[Files, None]:
    """Every capacity model measured alike on the whole test set, in fp32 from its hold-out choice."""
    cfg, entries = inp.cfg, []
    x_test, y_test = inp.test_tensors(inp.device)
    for mid, tcfg, eps255 in tqdm(cfg.capacity_models(), desc="capacity", unit="model"):
        state = inp.state(mid)
        model = build(tcfg, cfg.seed, mid, inp.device)
        model.load_state_dict(state.best)  # not shipped, so measured in fp32
        entries.append(capacity_model(mid, tcfg, eps255, model.eval(), state.best_epoch, x_test, y_test, cfg))
    return {"capacity.json": dump_json(capacity_file(entries, len(x_test), cfg))}, None
