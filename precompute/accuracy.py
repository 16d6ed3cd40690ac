"""Accuracy under no attack, PGD, or APGD-CE then APGD-T, batched over uint8 test tensors on the device.

Every accuracy comes back as a schema.Accuracy (correct of n, with its Wilson interval). PGD runs
report, per image, how many iterates in a row the model got right (`pgd_survival`), so one PGD-50 run
gives PGD-10, PGD-50 and the accuracy-after-k-steps curve on the same images.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tour import schema
from tour.attacks import eval_mode, pgd_survival
from tour.runtime import autocast, derive_seed, to_input


@dataclass(frozen=True)
class Score:
    accuracy: schema.Accuracy
    loss: float


def accuracy(ok: torch.Tensor) -> schema.Accuracy:
    """A boolean tensor of per-image outcomes -> correct of n with its interval."""
    return schema.Accuracy.of(int(ok.sum()), len(ok))


@torch.no_grad()
def clean_outcomes(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int):
    """(per-image correctness, mean cross-entropy) on clean images."""
    ok, loss = [], 0.0
    with eval_mode(model):
        for i in range(0, len(x), batch):
            with autocast(x.device):
                logits = model(to_input(x[i : i + batch])).float()
            ok.append(logits.argmax(1) == y[i : i + batch])
            loss += float(F.cross_entropy(logits, y[i : i + batch], reduction="sum"))
    return torch.cat(ok), loss / len(x)


def clean_score(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int) -> Score:
    ok, loss = clean_outcomes(model, x, y, batch)
    return Score(accuracy(ok), loss)


@torch.no_grad()
def probabilities(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with eval_mode(model), autocast(x.device):
        return model(to_input(x)).float().softmax(1).cpu()


def image_seeds(seed: int | None, first_index: int, n: int) -> list[int]:
    """One random-start seed per image, from its index: a number does not depend on the batching."""
    return [derive_seed(seed, i) for i in range(first_index, first_index + n)]


def survival(model: nn.Module, x: torch.Tensor, y: torch.Tensor, spec: schema.AttackSpec, batch: int):
    """`pgd_survival` of `spec` over batches of uint8 images; x[i] is image i of its split."""
    seeds = image_seeds(spec.seed, 0, len(x))
    parts = []
    for i in range(0, len(x), batch):
        with autocast(x.device):
            parts.append(
                pgd_survival(model, to_input(x[i : i + batch]), y[i : i + batch], spec, seeds[i : i + batch])
            )
    return torch.cat(parts).cpu()


def pgd_accuracy(model, x, y, spec: schema.AttackSpec, batch: int) -> schema.Accuracy:
    """Accuracy under `spec`: right at the clean image and every iterate."""
    return accuracy(survival(model, x, y, spec, batch) >= spec.steps + 2)


def apgd_outcomes(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    ok: torch.Tensor,
    *,
    spec: schema.AttackSpec,
    batch: int,
) -> torch.Tensor:
    """Which of the images in `ok` survive APGD-CE or APGD-T (torchattacks, fp32, eval mode).

    Only images still correct are attacked, as AutoAttack does: the attack cannot help an image the
    model already gets wrong, and the dearest part, APGD-T's nine targeted runs, then costs in
    proportion to the robust images alone.
    """
    import torchattacks

    out = ok.clone().cpu()
    idx = ok.nonzero().squeeze(1).cpu()
    with eval_mode(model):
        if spec.name == "APGD-CE":
            attack = torchattacks.APGD(
                model, norm=spec.norm, eps=spec.eps, steps=spec.steps, n_restarts=1, loss="ce", seed=spec.seed
            )
        elif spec.name == "APGD-T":
            attack = torchattacks.APGDT(
                model, norm=spec.norm, eps=spec.eps, steps=spec.steps, n_restarts=1, seed=spec.seed
            )
            attack.n_target_classes = spec.targets
        else:
            raise ValueError(f"not an APGD spec: {spec.name}")
        for i in range(0, len(idx), batch):
            part = idx[i : i + batch]
            xb, yb = to_input(x[part.to(x.device)]).contiguous(), y[part.to(y.device)]
            x_adv = attack(xb, yb)
            with torch.no_grad():
                out[part] = (model(x_adv).argmax(1) == yb).cpu()
    return out
