"""Accuracy under no attack, PGD or AutoAttack, batched over uint8 test tensors on the device.

A PGD run with `record` yields the iterate after every step, and the iterate after k steps of a
long run *is* PGD-k's output from the same start (the step size does not depend on the step
count), so one PGD-100 run gives the whole accuracy-vs-steps curve and the PGD-10 and PGD-50
numbers on the same images.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from precompute.attacks import eval_mode, pgd
from precompute.runtime import autocast, derive_seed, to_input


@dataclass(frozen=True)
class Score:
    accuracy: float
    loss: float


@torch.no_grad()
def clean_score(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int) -> Score:
    correct, loss = 0, 0.0
    with eval_mode(model):
        for i in range(0, len(x), batch):
            with autocast(x.device):
                logits = model(to_input(x[i : i + batch])).float()
            correct += int((logits.argmax(1) == y[i : i + batch]).sum())
            loss += float(F.cross_entropy(logits, y[i : i + batch], reduction="sum"))
    return Score(correct / len(x), loss / len(x))


@torch.no_grad()
def probabilities(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with eval_mode(model), autocast(x.device):
        return model(to_input(x)).float().softmax(1).cpu()


def pgd_accuracy(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    alpha: float,
    steps: int,
    seed: int,
    batch: int,
) -> float:
    """Accuracy on PGD-`steps` adversarial examples; batch b starts from seed (seed, b)."""
    return pgd_step_accuracies(model, x, y, eps=eps, alpha=alpha, steps=(steps,), seed=seed, batch=batch)[0]


def pgd_step_accuracies(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    alpha: float,
    steps: tuple[int, ...],
    seed: int,
    batch: int,
) -> list[float]:
    """Accuracy after each of `steps` PGD steps, all read off one run of max(steps) steps."""
    longest = max(steps)
    correct = torch.zeros(len(steps), dtype=torch.long)
    for b, i in enumerate(range(0, len(x), batch)):
        xb, yb = to_input(x[i : i + batch]), y[i : i + batch]
        with autocast(x.device):
            run = pgd(
                model, xb, yb, eps=eps, alpha=alpha, steps=longest, seed=derive_seed(seed, b), record=True
            )
        for j, k in enumerate(steps):
            correct[j] += int((run.logits[k].argmax(1) == yb).sum())
    return (correct.double() / len(x)).tolist()


def autoattack_accuracy(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, seed: int, steps: int, queries: int
) -> float:
    """AutoAttack, standard version (Croce & Hein, 2020), through torchattacks; fp32, eval mode.

    `steps` and `queries` set the budgets of its four attacks; torchattacks' standard ones are
    10 and 5000, anything else (the tiny preset) is written onto the attacks it built.
    """
    import torchattacks

    with eval_mode(model):
        attack = torchattacks.AutoAttack(
            model, norm="Linf", eps=eps, version="standard", n_classes=10, seed=seed
        )
        for part in attack._autoattack.attacks:
            if hasattr(part, "steps"):
                part.steps = steps
            if hasattr(part, "n_queries"):
                part.n_queries = queries
        x_adv = attack(to_input(x).contiguous(), y)
        with torch.no_grad():
            return float((model(x_adv).argmax(1) == y).double().mean())
