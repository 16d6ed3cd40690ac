"""Standard and adversarial training of one model, one epoch at a time.

One loop for both: with train_eps > 0 every batch is replaced by its adversarial examples (generated
in eval mode, as `pgd` does) before the SGD step: Madry PGD-k (Madry et al., 2018) or the single-step
N-FGSM (de Jorge et al., 2022), as the config says. Every source of randomness in an
epoch (shuffle, augmentation, attack starts) is derived from (seed, model, epoch), so a run resumed
from the checkpoint of epoch k repeats epochs k+1... exactly. The weights kept are those of the
epoch with the best hold-out score: clean accuracy for the regular model, PGD accuracy for the
adversarial ones; the test set is never used for selection.

Two things make short CPU schedules pay: the forward passes run under bf16 autocast where the device
computes bf16 natively (config `precision`; evaluation stays fp32), and, with `ema` set, the weights
measured, selected and shipped are an exponential moving average of the trained ones (parameters and
batch-norm statistics alike), which smooths the last epochs' noise (Izmailov et al., 2018; for
adversarial training, Gowal et al., 2020, and Rebuffi et al., 2021).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import torch
import torch.nn.functional as F

from precompute.accuracy import clean_score, pgd_accuracy, probabilities
from precompute.augment import crop_flip
from precompute.config import TrainConfig
from tour import schema
from tour.attacks import nfgsm, pgd
from tour.model import ResNet18
from tour.runtime import Precision, derive_seed, generator, mixed_precision, to_input, train_precision
from tour.weights import checkpoint_bytes, checkpoint_from_bytes


@dataclass(frozen=True)
class TrainData:
    """uint8 NCHW tensors on the training device, labels int64 on the same device."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_holdout: torch.Tensor
    y_holdout: torch.Tensor
    x_test: torch.Tensor  # the per-epoch test subset
    y_test: torch.Tensor
    x_gallery: torch.Tensor  # the gallery pool; the examples are chosen from it after training


@dataclass
class TrainState:
    """Everything a resumed run needs; `epoch` epochs are finished."""

    epoch: int = 0
    model: dict[str, torch.Tensor] = field(default_factory=dict)
    momentum: dict[str, torch.Tensor] = field(default_factory=dict)
    ema: dict[str, torch.Tensor] = field(default_factory=dict)  # the averaged weights (empty: no EMA)
    best: dict[str, torch.Tensor] = field(default_factory=dict)
    best_epoch: int = 0
    best_score: float = -1.0
    history: list[dict] = field(default_factory=list)  # EpochRecord fields per epoch
    gallery_probs: list[list[list[float]]] = field(default_factory=list)  # [epoch][gallery image][class]


RESUME_GROUPS = ("model", "momentum", "ema", "best")  # what an epoch checkpoint holds to resume exactly


def state_to_bytes(state: TrainState, groups: tuple[str, ...]) -> bytes:
    """A checkpoint with the chosen tensor groups (model, momentum, best) and all the bookkeeping."""
    meta = {k: getattr(state, k) for k in ("epoch", "best_epoch", "best_score", "history", "gallery_probs")}
    return checkpoint_bytes({g: getattr(state, g) for g in groups}, meta)


def state_from_bytes(data: bytes) -> TrainState:
    groups, meta = checkpoint_from_bytes(data)
    return TrainState(**meta, **cast(dict[str, Any], groups))


def learning_rate(cfg: TrainConfig, step: int, total_steps: int) -> float:
    """One cycle: linear warm-up to cfg.lr over warmup_fraction of training, then linear decay to 0."""
    warm = max(1, round(cfg.warmup_fraction * total_steps))
    if step < warm:
        return cfg.lr * (step + 1) / warm
    return cfg.lr * max(0.0, (total_steps - step) / (total_steps - warm + 1))


def build(cfg: TrainConfig, seed: int, model_id: str, device: torch.device) -> ResNet18:
    """A freshly initialised network; the init depends only on (seed, model id)."""
    torch.manual_seed(derive_seed(seed, model_id, "init"))
    model = ResNet18(width=cfg.width, last=cfg.last_stage).to(device)
    return model.to(memory_format=torch.channels_last) if cfg.channels_last else model  # type: ignore[call-overload]


class WeightAverage:
    """An exponential moving average of a model's state (parameters and batch-norm buffers), updated
    after every SGD step. Its decay ramps up as min(decay, (1 + t) / (10 + t)) at step t, so early
    in a short schedule the average follows the model instead of its random init."""

    def __init__(self, model: torch.nn.Module, decay: float) -> None:
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self._pairs = list(zip(self.model.state_dict().values(), model.state_dict().values(), strict=True))

    @torch.no_grad()
    def update(self, step: int) -> None:
        d = min(self.decay, (1 + step) / (10 + step))
        for avg, now in self._pairs:
            if avg.is_floating_point():
                avg.lerp_(now, 1 - d)
            else:
                avg.copy_(now)


def _optimizer(cfg: TrainConfig, model: torch.nn.Module) -> torch.optim.SGD:
    return torch.optim.SGD(
        model.parameters(), lr=cfg.lr, momentum=cfg.momentum, nesterov=True, weight_decay=cfg.weight_decay
    )


def _restore(
    model: torch.nn.Module, opt: torch.optim.SGD, average: WeightAverage | None, state: TrainState
) -> None:
    model.load_state_dict(state.model)
    if average is not None:
        average.model.load_state_dict(state.ema)
    for name, p in model.named_parameters():
        if name in state.momentum:
            opt.state[p]["momentum_buffer"] = state.momentum[name].to(p.device)


def _weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}


def _snapshot(model: torch.nn.Module, opt: torch.optim.SGD) -> tuple[dict, dict]:
    weights = _weights(model)
    momentum = {
        name: opt.state[p]["momentum_buffer"].detach().cpu().contiguous().clone()
        for name, p in model.named_parameters()
        if opt.state[p].get("momentum_buffer") is not None
    }
    return weights, momentum


def _train_epoch(
    cfg, precision, train_eps, data, model, net, opt, average, epoch, seed, model_id
) -> tuple[float, float, float]:
    gen = generator(seed, model_id, "epoch", epoch)
    n = len(data.x_train)
    per_epoch = n // cfg.batch_size
    total = per_epoch * cfg.epochs
    perm = torch.randperm(n, generator=gen).to(data.x_train.device)
    attack = cfg.train_attack(train_eps, seed)
    model.train()
    loss_sum = torch.zeros((), device=data.x_train.device)
    correct = torch.zeros((), device=data.x_train.device, dtype=torch.long)
    for b in range(per_epoch):
        idx = perm[b * cfg.batch_size : (b + 1) * cfg.batch_size]
        x, y = to_input(crop_flip(data.x_train[idx], gen)), data.y_train[idx]
        if cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        if attack is not None:
            x = _adversarial(attack, precision, net, x, y, gen, derive_seed(seed, model_id, epoch, b))
        step = (epoch - 1) * per_epoch + b
        lr = learning_rate(cfg, step, total)
        for group in opt.param_groups:
            group["lr"] = lr
        with mixed_precision(x.device, precision):
            logits = net(x).float()
        loss = F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if average is not None:
            average.update(step)
        loss_sum += loss.detach() * len(y)
        correct += (logits.argmax(1) == y).sum()
    seen = per_epoch * cfg.batch_size
    return float(loss_sum) / seen, int(correct) / seen, lr


def _adversarial(
    spec: schema.AttackSpec, precision: Precision, net, x, y, gen: torch.Generator, batch_seed: int
) -> torch.Tensor:
    """The batch the SGD step sees: N-FGSM draws its noise from the epoch's generator; PGD starts
    from `batch_seed`, which (run seed, model, epoch, batch) fixes. Its gradient is training's, so it
    runs in training's precision."""
    with mixed_precision(x.device, precision):
        if spec.name == "N-FGSM":
            return nfgsm(net, x, y, spec, gen)
        return pgd(net, x, y, spec.model_copy(update={"seed": batch_seed})).x_adv


def _holdout_score(cfg: TrainConfig, train_eps: float, data: TrainData, model, seed: int) -> schema.Accuracy:
    if train_eps == 0:
        return clean_score(model, data.x_holdout, data.y_holdout, cfg.eval_batch).accuracy
    n = cfg.holdout_attack_n
    return pgd_accuracy(
        model, data.x_holdout[:n], data.y_holdout[:n], cfg.holdout_attack(train_eps, seed), cfg.eval_batch
    )


def train(
    cfg: TrainConfig,
    train_eps: float,
    data: TrainData,
    *,
    seed: int,
    model_id: str,
    state: TrainState | None = None,
    on_epoch: Callable[[TrainState], None] = lambda s: None,
) -> TrainState:
    """Train from scratch or from `state` up to cfg.epochs; `on_epoch` sees the state after each epoch."""
    device = data.x_train.device
    if cfg.batch_size > len(data.x_train):
        raise ValueError(f"batch size {cfg.batch_size} exceeds the {len(data.x_train)} training images")
    precision = train_precision(cfg.precision, device)
    model = build(cfg, seed, model_id, device)
    opt = _optimizer(cfg, model)
    average = WeightAverage(model, cfg.ema) if cfg.ema is not None else None
    measured = model if average is None else average.model  # what is probed, selected and shipped
    state = state or TrainState()
    if state.epoch:
        _restore(model, opt, average, state)
    net = torch.compile(model) if cfg.compile and device.type == "cuda" else model
    while state.epoch < cfg.epochs:
        epoch = state.epoch + 1
        start = time.perf_counter()
        train_loss, train_acc, lr = _train_epoch(
            cfg, precision, train_eps, data, model, net, opt, average, epoch, seed, model_id
        )
        test = clean_score(
            measured, data.x_test[: cfg.eval_clean_n], data.y_test[: cfg.eval_clean_n], cfg.eval_batch
        )
        robust = pgd_accuracy(
            measured,
            data.x_test[: cfg.eval_pgd_n],
            data.y_test[: cfg.eval_pgd_n],
            cfg.probe(seed),
            cfg.eval_batch,
        )
        holdout = _holdout_score(cfg, train_eps, data, measured, seed)
        probs = probabilities(measured, data.x_gallery).tolist()
        if device.type == "cuda":
            torch.cuda.synchronize()
        record = schema.EpochRecord(
            epoch=epoch,
            lr=lr,
            train_loss=train_loss,
            train_acc=train_acc,
            test_loss=test.loss,
            clean_acc=test.accuracy,
            pgd_acc=robust,
            holdout_acc=holdout,
            seconds=time.perf_counter() - start,
        )
        weights, momentum = _snapshot(model, opt)
        ema = _weights(average.model) if average is not None else {}
        better = holdout.value > state.best_score
        state = TrainState(
            epoch=epoch,
            model=weights,
            momentum=momentum,
            ema=ema,
            best=(ema or weights) if better else state.best,
            best_epoch=epoch if better else state.best_epoch,
            best_score=holdout.value if better else state.best_score,
            history=[*state.history, record.model_dump()],
            gallery_probs=[*state.gallery_probs, probs],
        )
        on_epoch(state)
    return state
