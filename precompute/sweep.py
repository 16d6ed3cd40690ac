"""Accuracy of every trained model at every test eps (the article's robustness-vs-eps chart)."""

from __future__ import annotations

import torch
from torch import nn

from precompute.config import SweepConfig
from precompute.evaluate import clean_score, pgd_accuracy
from tour import schema
from tour.runtime import derive_seed


def sweep_seed(seed: int) -> int:
    return derive_seed(seed, "sweep")


def sweep_row(
    model: nn.Module,
    mid: str,
    train_eps: float,
    x: torch.Tensor,
    y: torch.Tensor,
    test_eps: list[float],
    cfg: SweepConfig,
    seed: int,
) -> schema.SweepRow:
    """One model at every test eps: clean accuracy at 0, PGD with alpha = eps / 4 elsewhere."""
    accs = [
        clean_score(model, x, y, cfg.batch).accuracy
        if eps == 0
        else pgd_accuracy(
            model, x, y, eps=eps, alpha=eps / 4, steps=cfg.steps, seed=sweep_seed(seed), batch=cfg.batch
        )
        for eps in test_eps
    ]
    return schema.SweepRow(model_id=mid, train_eps=train_eps, accuracies=accs)


def sweep_file(
    rows: list[schema.SweepRow], n: int, test_eps: list[float], cfg: SweepConfig, seed: int
) -> schema.SweepFile:
    """The attack recorded is the one at the largest test eps; every other eps scales eps and alpha."""
    top = max(test_eps)
    attack = schema.AttackSpec(
        name="PGD",
        norm="Linf",
        eps=top,
        alpha=top / 4,
        steps=cfg.steps,
        random_start=True,
        seed=sweep_seed(seed),
    )
    measurement = schema.Measurement(split="test", first_index=0, n_images=n, attack=attack)
    return schema.SweepFile(measurement=measurement, attack=attack, test_eps=test_eps, rows=rows)
