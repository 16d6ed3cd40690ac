"""Transfer: PGD crafted on one model and scored on every model.

A black-box attacker cannot take the gradients of the model it attacks, but it can attack a model of
its own and hope the images carry over. The matrix says how often they do: row = the model the
attack was run on, column = the model that then classifies the result. The diagonal is the ordinary
white-box attack (the evaluation's PGD-10, same per-image random starts), scored on its final image.
"""

from __future__ import annotations

import torch
from torch import nn

from precompute.accuracy import accuracy, image_seeds
from precompute.config import TransferConfig
from tour import schema
from tour.attacks import eval_mode, pgd
from tour.runtime import autocast, to_input


def adversarial_images(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, spec: schema.AttackSpec, batch: int
):
    """Each uint8 image's final PGD iterate against `model` (float in [0, 1]); seeds by image index."""
    seeds = image_seeds(spec.seed, 0, len(x))
    out = []
    for i in range(0, len(x), batch):
        with autocast(x.device):
            run = pgd(model, to_input(x[i : i + batch]), y[i : i + batch], spec, seeds=seeds[i : i + batch])
        out.append(run.x_adv.detach())
    return torch.cat(out)


@torch.no_grad()
def accuracy_on(model: nn.Module, images: torch.Tensor, y: torch.Tensor, batch: int) -> schema.Accuracy:
    ok = []
    with eval_mode(model):
        for i in range(0, len(images), batch):
            with autocast(images.device):
                ok.append(model(images[i : i + batch]).float().argmax(1) == y[i : i + batch])
    return accuracy(torch.cat(ok))


def transfer_file(
    models: dict[str, nn.Module], x: torch.Tensor, y: torch.Tensor, cfg: TransferConfig, seed: int
) -> schema.TransferFile:
    """Every model as source and as target, on the first `cfg.n` images of x."""
    n = len(x) if cfg.n is None else min(cfg.n, len(x))
    x, y = x[:n], y[:n]
    spec = cfg.attack(seed)
    ids = list(models)
    rows = []
    for source in ids:
        images = adversarial_images(models[source], x, y, spec, cfg.batch)
        rows.append([accuracy_on(models[target], images, y, cfg.batch) for target in ids])
    measurement = schema.Measurement(split="test", first_index=0, n_images=n, attack=spec)
    return schema.TransferFile(measurement=measurement, attack=spec, sources=ids, targets=ids, accuracy=rows)
