"""The headline numbers of one model: clean, PGD-10, PGD-50, AutoAttack, and accuracy vs PGD steps."""

from __future__ import annotations

import time

import torch
from torch import nn

from precompute import schema
from precompute.config import EvalConfig
from precompute.evaluate import autoattack_accuracy, clean_score, pgd_step_accuracies
from precompute.runtime import derive_seed

ALPHA = 2 / 255  # PGD step at eps 8/255 in every headline number


def _pgd_spec(cfg: EvalConfig, steps: int, seed: int) -> schema.AttackSpec:
    return schema.AttackSpec(
        name="PGD", norm="Linf", eps=cfg.eps, alpha=ALPHA, steps=steps, random_start=True, seed=seed
    )


def _test(n: int, attack: schema.AttackSpec | None = None) -> schema.Measurement:
    return schema.Measurement(split="test", first_index=0, n_images=n, attack=attack)


def evaluate_model(
    model: nn.Module, model_id: str, x: torch.Tensor, y: torch.Tensor, cfg: EvalConfig, seed: int
) -> schema.ModelEvaluation:
    """x, y: the whole test set (uint8 NCHW on the device); each number uses its configured prefix."""
    n = len(x) if cfg.n is None else min(cfg.n, len(x))
    results = []

    def add(name: str, accuracy: float, measurement: schema.Measurement, start: float) -> None:
        seconds = time.perf_counter() - start
        results.append(
            schema.EvalResult(name=name, accuracy=accuracy, measurement=measurement, seconds=seconds)
        )

    start = time.perf_counter()
    add("clean", clean_score(model, x[:n], y[:n], cfg.batch).accuracy, _test(n), start)

    start = time.perf_counter()
    pgd_seed = derive_seed(seed, "final_pgd")
    pgd10, pgd50 = pgd_step_accuracies(
        model, x[:n], y[:n], eps=cfg.eps, alpha=ALPHA, steps=(10, 50), seed=pgd_seed, batch=cfg.batch
    )
    # One PGD-50 run yields both (PGD-10 is its 10th iterate); both report that run's seconds.
    add("PGD-10", pgd10, _test(n, _pgd_spec(cfg, 10, pgd_seed)), start)
    add("PGD-50", pgd50, _test(n, _pgd_spec(cfg, 50, pgd_seed)), start)

    n_aa = min(cfg.autoattack_n, len(x))
    start = time.perf_counter()
    aa = autoattack_accuracy(
        model,
        x[:n_aa],
        y[:n_aa],
        eps=cfg.eps,
        seed=seed,
        steps=cfg.autoattack_steps,
        queries=cfg.autoattack_queries,
    )
    aa_spec = schema.AttackSpec(
        name="AutoAttack", norm="Linf", eps=cfg.eps, steps=cfg.autoattack_steps, random_start=True, seed=seed
    )
    add("AutoAttack", aa, _test(n_aa, aa_spec), start)

    n_curve = min(cfg.steps_curve_n, len(x))
    curve_seed = derive_seed(seed, "steps_curve")
    accs = pgd_step_accuracies(
        model,
        x[:n_curve],
        y[:n_curve],
        eps=cfg.eps,
        alpha=ALPHA,
        steps=(0, *cfg.steps_curve),
        seed=curve_seed,
        batch=cfg.batch,
    )
    curve = [schema.StepsPoint(steps=k, accuracy=a) for k, a in zip((0, *cfg.steps_curve), accs, strict=True)]
    return schema.ModelEvaluation(
        model_id=model_id,
        results=results,
        steps_curve=curve,
        steps_measurement=_test(n_curve, _pgd_spec(cfg, max(cfg.steps_curve), curve_seed)),
    )
