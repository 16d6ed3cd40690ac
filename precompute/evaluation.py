"""The headline numbers of one model: clean, PGD-10 and PGD-50, APGD-CE then APGD-T, accuracy vs steps.

One evaluation set per measure, the same first test images for every model and attack. The PGD
numbers and the steps curve are read off one PGD-50 run; the APGD check runs on its own (smaller)
first images, and the clean and PGD-10 outcomes of exactly those images are reported beside it, so
"APGD-CE + APGD-T <= PGD-10 <= clean" can be checked on the same images.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from precompute.accuracy import accuracy, apgd_outcomes, clean_outcomes, survival
from precompute.config import EvalConfig
from tour import schema


def _test(n: int, attack: schema.AttackSpec | None = None, then: schema.AttackSpec | None = None):
    return schema.Measurement(split="test", first_index=0, n_images=n, attack=attack, followed_by=then)


def evaluate_model(
    model: nn.Module, model_id: str, x: torch.Tensor, y: torch.Tensor, cfg: EvalConfig, seed: int
) -> schema.ModelEvaluation:
    """x, y: the whole test set (uint8 NCHW on the device); each number uses its configured prefix."""
    results: list[schema.EvalResult] = []

    def result(name, ok, measurement, start: float | None) -> schema.EvalResult:
        """start None: read off a run already timed, which costs nothing more."""
        seconds = 0.0 if start is None else time.perf_counter() - start
        return schema.EvalResult(name=name, accuracy=accuracy(ok), measurement=measurement, seconds=seconds)

    n = len(x) if cfg.clean_n is None else min(cfg.clean_n, len(x))
    start = time.perf_counter()
    clean_ok = clean_outcomes(model, x[:n], y[:n], cfg.batch)[0].cpu()
    results.append(result("clean", clean_ok, _test(n), start))

    n_pgd = min(cfg.pgd_n, len(x))
    short, long = cfg.pgd_steps
    start = time.perf_counter()
    count = survival(model, x[:n_pgd], y[:n_pgd], cfg.pgd(long, seed), cfg.batch)
    # One PGD-50 run yields both (PGD-10 is its first 10 steps); both report that run's seconds.
    for k in (short, long):
        results.append(result(f"PGD-{k}", count >= k + 2, _test(n_pgd, cfg.pgd(k, seed)), start))

    correct = count >= 1
    curve = [
        schema.StepsPoint(steps=k, accuracy=accuracy(count[correct] >= k + 2))
        for k in range(cfg.curve_steps + 1)
    ]

    n_ap = min(cfg.apgd_n, n_pgd)
    ce, targeted = cfg.apgd(seed)
    start = time.perf_counter()
    after_ce = apgd_outcomes(model, x[:n_ap], y[:n_ap], correct[:n_ap], spec=ce, batch=cfg.batch)
    ce_result = result("APGD-CE", after_ce, _test(n_ap, ce), start)
    after_t = apgd_outcomes(model, x[:n_ap], y[:n_ap], after_ce, spec=targeted, batch=cfg.batch)
    same = [
        result("clean", correct[:n_ap], _test(n_ap), None),
        result(f"PGD-{short}", count[:n_ap] >= short + 2, _test(n_ap, cfg.pgd(short, seed)), None),
        ce_result,
        result("APGD-CE + APGD-T", after_t, _test(n_ap, ce, targeted), start),
    ]
    return schema.ModelEvaluation(
        model_id=model_id,
        results=results,
        same_images=same,
        steps_curve=curve,
        steps_measurement=_test(n_pgd, cfg.pgd(cfg.curve_steps, seed)),
    )
