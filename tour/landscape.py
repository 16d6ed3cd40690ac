"""The loss around one image, on a plane through it (the input-space landscape).

The plane is spanned by two L-inf unit directions: the model's own adversarial direction, the sign
of its loss gradient at the image (FGSM's step), and a random sign pattern that the seed fixes and
every model shares. A grid point (a, b) is the image x + a * adv + b * rand clipped to [0, 1], so
the axes read directly as L-inf distances. A smooth, slowly rising surface is what adversarial
training aims at; a regular model's loss usually climbs steeply along its adversarial direction.
The precompute's landscape stage and the server's lab both call `input_landscape`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tour import schema
from tour.attacks import eval_mode
from tour.saliency import input_gradient

GRID_BATCH = 147  # grid points per forward pass; the lab and the precompute share it, so equal floats


def grid_coords(grid: schema.InputGridSpec) -> list[float]:
    """The `points` coordinates of each axis, evenly over [-radius, radius] in L-inf units."""
    n = grid.points - 1
    return [grid.radius * (2 * i - n) / n for i in range(grid.points)]


@dataclass(frozen=True)
class Landscape:
    loss: torch.Tensor  # (points, points): [i, j] at adversarial coord i, random coord j
    pred: torch.Tensor  # (points, points) predicted class, int64


def random_direction(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """A uniform random sign pattern (L-inf norm 1), drawn on the CPU so it is the same everywhere."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=gen).float() * 2 - 1


def input_landscape(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, grid: schema.InputGridSpec, batch: int = GRID_BATCH
) -> Landscape:
    """x: one image (1, 3, H, W) in [0, 1], y: its label (1,). Cross-entropy of y over the grid."""
    adv = input_gradient(model, x, y).sign()
    rand = random_direction(tuple(x.shape), grid.seed).to(x)
    c = torch.tensor(grid_coords(grid), dtype=x.dtype, device=x.device)
    a, b = torch.meshgrid(c, c, indexing="ij")
    a, b = a.reshape(-1, 1, 1, 1), b.reshape(-1, 1, 1, 1)
    losses, preds = [], []
    with eval_mode(model), torch.no_grad():
        for i in range(0, len(a), batch):
            points = (x + a[i : i + batch] * adv + b[i : i + batch] * rand).clamp(0, 1)
            logits = model(points).float()
            losses.append(F.cross_entropy(logits, y.expand(len(points)), reduction="none"))
            preds.append(logits.argmax(1))
    shape = (grid.points, grid.points)
    return Landscape(torch.cat(losses).view(shape), torch.cat(preds).view(shape))
