"""The lab's attack runner: the shipped models, loaded once, attacked with the precompute's own code.

`tour.trajectories.attack_images` turns a PGD run into schema StepRecords and pictures; the
bundle's trajectories come from the same call with the same weights (fp16 -> fp32 on the CPU) and
the per-image seeds of `trajectory_seed`, so a gallery image attacked here with its bundle seed
retraces the precomputed figure. The two models run side by side, one thread each with one intra-op
thread: on a small CPU that beats giving one model both cores at batch size 1 (see BENCHMARKS.md).

An attack can be stopped between two steps: every lab model carries a forward pre-hook that raises
Cancelled once the event its thread is working for is set (server.lab.queueing sets it when the client leaves
or the lab's deadline passes). The hook only reads a flag; the attack's arithmetic is untouched.
"""

from __future__ import annotations

import secrets
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch
from torch import nn

from server.lab.inspect import InspectSettings, inspect_image
from server.lab.limits import LIMITS
from server.lab.params import (
    AttackParams,
    AttackResponse,
    InspectParams,
    InspectResponse,
    ModelInspection,
    ModelRun,
    ResolvedParams,
    SourceInfo,
)
from server.lab.testset import CifarTestSet
from server.store import Store
from tour import schema
from tour.bundle import BundleError
from tour.sprites import png_data_url, sheet
from tour.trajectories import attack_images, own_label, trajectory_seed
from tour.weights import model_from_bytes

T = TypeVar("T")


class Cancelled(Exception):
    """The attack was stopped before it finished: nobody is waiting for its result any more."""


_guarded: weakref.WeakSet[nn.Module] = weakref.WeakSet()
_working_for = threading.local()  # .cancel: the threading.Event of the attack this thread runs


def _stop_if_cancelled(module: nn.Module, args: object) -> None:
    """Forward pre-hook: PGD calls the model once per step, so this is a check between steps."""
    cancel: threading.Event | None = getattr(_working_for, "cancel", None)
    if cancel is not None and cancel.is_set():
        raise Cancelled


def guard(module: nn.Module) -> nn.Module:
    """Let `module` be stopped between attack steps (once per module, however many labs hold it)."""
    if module not in _guarded:
        module.register_forward_pre_hook(_stop_if_cancelled)
        _guarded.add(module)
    return module


@dataclass(frozen=True)
class LabModel:
    info: schema.ModelInfo
    module: nn.Module


def _prepare(module: nn.Module) -> nn.Module:
    for p in module.parameters():
        p.requires_grad_(False)  # the attack differentiates the input only
    return module.eval()


class Lab:
    """Holds the models and test pixels; `attack` and `inspect` are blocking CPU work (run them in an
    executor). `push` is the paint figure's attack, the push mode's defaults; `settings` the bundle's
    gradient and landscape settings, which inspect needs."""

    def __init__(
        self,
        models: list[LabModel],
        images: CifarTestSet,
        run_seed: int | None,
        reason: str | None = None,
        figures: schema.TrajectoriesFile | None = None,
        push: schema.AttackSpec | None = None,
        settings: InspectSettings | None = None,
    ) -> None:
        self.models = models
        self.push = push
        self.settings = settings
        for m in models:
            guard(m.module)
        self.images = images
        self.run_seed = run_seed
        self.figures = figures
        self._figure_of = {im.test_index: im for im in figures.images} if figures else {}
        self.reason = reason if not models else None
        shown = figures.model_ids if figures else []
        self.default_models = [m.info.id for m in models if m.info.id in shown] or [
            m.info.id for m in models[:2]
        ]
        self._by_id = {m.info.id: m for m in models}
        self._pool = ThreadPoolExecutor(LIMITS.models_max, thread_name_prefix="lab-model")

    @property
    def available(self) -> bool:
        return bool(self.models)

    def chosen(self, ids: list[str] | None) -> list[LabModel]:
        """The models a request names (KeyError for one the bundle does not ship), else the defaults."""
        return [self._by_id[i] for i in (ids or self.default_models)]

    @classmethod
    def from_store(cls, store: Store) -> Lab:
        """Every model whose weights the bundle ships, in its order; a request attacks one or two."""
        run = store.run
        infos = {m.id: m for m in run.models}
        models = []
        for w in run.weights:
            try:
                module = model_from_bytes(store.bundle.files[w.path])
            except Exception as e:  # a verified file that is still not our weights: refuse to start
                raise BundleError(f"{w.path} is not loadable ResNet-18 weights ({e})") from None
            models.append(LabModel(infos[w.model_id], _prepare(module)))
        testset = CifarTestSet.from_bundle(store.bundle)
        figures = store.bundle.doc("trajectories.json", schema.TrajectoriesFile)
        push = store.bundle.doc("paint.json", schema.PaintFile).attack
        settings = InspectSettings.from_bundle(store.bundle)
        return cls(models, testset, run.seed, "this bundle ships no model weights", figures, push, settings)

    def default_seed(self, test_index: int | None) -> int:
        if test_index is not None and self.run_seed is not None:
            return trajectory_seed(self.run_seed, test_index)
        return secrets.randbelow(2**31)

    def attack(
        self,
        image: np.ndarray,
        params: AttackParams,
        source: SourceInfo,
        cancel: threading.Event | None = None,
    ) -> AttackResponse:
        """image: (32, 32, 3) uint8. Blocking: the chosen models' PGD runs, side by side.

        Raises Cancelled at the next step of either model once `cancel` is set."""
        start = time.perf_counter()
        chosen = self.chosen(params.models)
        seed = params.seed if params.seed is not None else self.default_seed(source.test_index)
        resolved = params.resolve(seed, [m.info.id for m in chosen])
        runs = self._each(chosen, cancel, lambda m: self._run_model(m, image, resolved, source.label))
        return AttackResponse(
            params=resolved,
            source=source,
            image=png_data_url(image),
            tile=self.images.doc.tile,  # the test set's tile: every picture the lab draws is one image
            columns=resolved.steps + 1,
            runs=runs,
            figure_match=self._figure_match(source, resolved, runs),
            seconds=round(time.perf_counter() - start, 4),
        )

    def _figure_match(self, source: SourceInfo, p: ResolvedParams, runs: list[ModelRun]) -> bool | None:
        """For an image of the article's figures attacked with their settings and seed: whether every
        model's every step equals the precomputed one (the proof that the lab is the same code)."""
        figure = self._figure_of.get(source.test_index) if source.test_index is not None else None
        if figure is None or self.figures is None or self.run_seed is None or p.target is not None:
            return None
        seed = trajectory_seed(self.run_seed, figure.test_index)  # the image's own start in the figures
        if p.spec() != self.figures.attack.model_copy(update={"seed": seed}):
            return None
        ref = {t.model_id: t for t in figure.trajectories}
        if any(r.model_id not in ref for r in runs):
            return None  # a model the figures do not show: nothing to compare with
        return all(ref[r.model_id] == r.trajectory for r in runs)

    def inspect(
        self,
        image: np.ndarray,
        params: InspectParams,
        source: SourceInfo,
        cancel: threading.Event | None = None,
    ) -> InspectResponse:
        """image: (32, 32, 3) uint8. Blocking: each chosen model's gradients and landscape, side by
        side, with the bundle's settings. Raises Cancelled at a model's next forward pass once
        `cancel` is set."""
        if self.settings is None:
            raise RuntimeError("this lab was built without the bundle's inspect settings")
        start = time.perf_counter()
        settings = self.settings

        def one(model: LabModel) -> ModelInspection:
            torch.set_num_threads(1)
            label = own_label(model.module, image) if source.label is None else source.label
            seen = inspect_image(model.module, image, label, settings)
            return ModelInspection(
                model_id=model.info.id,
                label=model.info.label,
                reference=label,
                gradient=png_data_url(seen.gradient),
                smoothgrad=png_data_url(seen.smoothgrad),
                loss=seen.loss,
                pred=seen.pred,
            )

        return InspectResponse(
            source=source,
            image=png_data_url(image),
            smoothgrad=settings.smoothgrad,
            grid=settings.grid,
            coords=settings.coords,
            picture=settings.picture,
            models=self._each(self.chosen(params.models), cancel, one),
            seconds=round(time.perf_counter() - start, 4),
        )

    def _each(
        self, chosen: list[LabModel], cancel: threading.Event | None, work: Callable[[LabModel], T]
    ) -> list[T]:
        """`work` on every chosen model, each on its own pool thread, stoppable through `cancel`."""

        def guarded(model: LabModel) -> T:
            _working_for.cancel = cancel
            try:
                return work(model)
            finally:
                _working_for.cancel = None

        return list(self._pool.map(guarded, chosen))

    def _run_model(
        self, model: LabModel, image: np.ndarray, p: ResolvedParams, label: int | None
    ) -> ModelRun:
        torch.set_num_threads(1)
        if label is None:  # an upload: the model's own clean prediction stands in for the label
            label = own_label(model.module, image)
        (result,) = attack_images(
            model.module,
            model.info.id,
            image[None],
            [label],
            [p.seed],
            p.spec(),
            targets=None if p.target is None else [p.target],
        )
        columns = p.steps + 1
        return ModelRun(
            model_id=model.info.id,
            label=model.info.label,
            reference=label,
            trajectory=result.trajectory,
            adversarial=png_data_url(sheet(result.adversarial, columns)),
            perturbation=png_data_url(sheet(result.perturbation, columns)),
            perturbation_scale=result.scale,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
