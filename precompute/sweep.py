"""Accuracy of every trained model at every test eps (the article's robustness-vs-eps chart)."""

from __future__ import annotations

import torch
from torch import nn

from precompute.accuracy import clean_score, pgd_accuracy
from precompute.config import SweepConfig
from tour import schema


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
        else pgd_accuracy(model, x, y, cfg.attack(eps, seed), cfg.batch)
        for eps in test_eps
    ]
    return schema.SweepRow(model_id=mid, train_eps=train_eps, accuracies=accs)


def sweep_file(
    rows: list[schema.SweepRow], n: int, test_eps: list[float], cfg: SweepConfig, seed: int
) -> schema.SweepFile:
    """The attack recorded is the one at the largest test eps; every other eps scales eps and alpha."""
    attack = cfg.attack(max(test_eps), seed)
    measurement = schema.Measurement(split="test", first_index=0, n_images=n, attack=attack)
    return schema.SweepFile(measurement=measurement, attack=attack, test_eps=test_eps, rows=rows)
