"""Loss landscapes, two kinds: around each example in input space (tour.landscape), and around each
trained model in weight space along filter-normalized random directions (Li et al., 2018).

Input space asks how fast the loss climbs when the image moves: adversarial training is meant to
flatten exactly that. Weight space asks whether the trained model sits in a wide or a sharp
minimum; Prabhu et al. report that adversarial training does not make that minimum flatter, and the
weight slices let the reader check it on our two models, on the same axes.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from precompute.accuracy import accuracy
from precompute.config import InputLandscapeConfig, WeightLandscapeConfig
from tour import schema
from tour.attacks import eval_mode
from tour.landscape import grid_coords, input_landscape, random_direction
from tour.runtime import one_thread, to_input
from tour.saliency import input_gradient

FILTER_NORM = (
    "Li et al. (2018): a Gaussian random direction for every weight tensor, each output filter (row of "
    "the final layer) rescaled to the norm of the trained filter; batch-norm weights and biases are "
    "not moved, and batch norm uses the trained running statistics (eval mode)"
)
ROUND = 6


def _rounded(t: torch.Tensor) -> list:
    return np.round(t.double().numpy(), ROUND).tolist()


def loss_rise(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    distance: float,
    grid: schema.InputGridSpec,
    batch: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image: loss at x + distance * (adversarial, random direction) minus the clean loss."""
    rand = random_direction((1, *x.shape[1:]), grid.seed).to(x)
    adv_rise, rand_rise = [], []
    with eval_mode(model):
        for i in range(0, len(x), batch):
            xb, yb = x[i : i + batch], y[i : i + batch]
            adv = input_gradient(model, xb, yb).sign()
            with torch.no_grad():
                clean, up, side = (
                    F.cross_entropy(model(z.clamp(0, 1)).float(), yb, reduction="none")
                    for z in (xb, xb + distance * adv, xb + distance * rand)
                )
                adv_rise.append(up - clean)
                rand_rise.append(side - clean)
    return torch.cat(adv_rise), torch.cat(rand_rise)


def input_landscape_file(
    models: dict[str, nn.Module],
    examples: torch.Tensor,
    labels: list[int],
    indices: list[int],
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    cfg: InputLandscapeConfig,
    run_seed: int,
) -> schema.InputLandscapeFile:
    """examples, x_test: uint8 NCHW on the CPU. The examples' grids run on one thread, image by image,
    with the lab's batch, so the lab draws the same surface for an example."""
    grid = cfg.grid(run_seed)
    xs = to_input(examples)
    images = []
    with one_thread():
        surfaces = {
            mid: [input_landscape(m, xs[p : p + 1], torch.tensor([labels[p]]), grid) for p in range(len(xs))]
            for mid, m in models.items()
        }
    for p, (t, lab) in enumerate(zip(indices, labels, strict=True)):
        images.append(
            schema.ImageLandscape(
                position=p,
                test_index=t,
                label=lab,
                loss={mid: _rounded(s[p].loss) for mid, s in surfaces.items()},
                pred={mid: s[p].pred.tolist() for mid, s in surfaces.items()},
            )
        )
    n = min(cfg.rise_n, len(x_test))
    rise = []
    for mid, m in models.items():
        adv, rand = loss_rise(m, to_input(x_test[:n]), y_test[:n], cfg.distance, grid, cfg.batch)
        rise.append(
            schema.LossRise(
                model_id=mid, adversarial=schema.MeanInterval.of(adv), random=schema.MeanInterval.of(rand)
            )
        )
    return schema.InputLandscapeFile(
        grid=grid,
        coords=grid_coords(grid),
        model_ids=list(models),
        images=images,
        rise_measurement=schema.Measurement(split="test", first_index=0, n_images=n),
        distance=cfg.distance,
        rise=rise,
    )


def filter_normalized(model: nn.Module, seed: int) -> dict[str, torch.Tensor]:
    """A random direction per parameter, each filter scaled to its trained filter's norm; 1-D
    parameters (batch-norm scales and shifts, the final bias) get zero."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, p in model.named_parameters():
        d = torch.randn(p.shape, generator=gen)
        if p.dim() <= 1:
            out[name] = torch.zeros_like(p)
            continue
        w, d = p.detach().flatten(1), d.flatten(1)
        d = d * (w.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True).clamp_min(1e-12))
        out[name] = d.view_as(p).to(p)
    return out


def _evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int) -> tuple[float, torch.Tensor]:
    """Mean loss and per-image correctness on (x, y), in eval mode."""
    losses, ok = [], []
    with eval_mode(model), torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i : i + batch]).float()
            losses.append(F.cross_entropy(logits, y[i : i + batch], reduction="none"))
            ok.append(logits.argmax(1) == y[i : i + batch])
    return float(torch.cat(losses).double().mean()), torch.cat(ok)


def _shifted(model: nn.Module, base: dict[str, torch.Tensor], moves: list[tuple[float, dict]]) -> nn.Module:
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(base[name] + sum(c * d[name] for c, d in moves))
    return model


def weight_slices(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: WeightLandscapeConfig, seeds: list[int]
) -> tuple[list[float], list[schema.Accuracy], list[list[float]]]:
    """(1-D losses, 1-D accuracies, 2-D losses) of a copy of `model` moved along the directions."""
    probe = copy.deepcopy(model)
    base = {k: v.detach().clone() for k, v in model.named_parameters()}
    dx, dy = (filter_normalized(model, s) for s in seeds)
    loss_1d, acc_1d = [], []
    for a in _coords(cfg.span, cfg.points_1d):
        loss, ok = _evaluate(_shifted(probe, base, [(a, dx)]), x, y, cfg.batch)
        loss_1d.append(round(loss, ROUND))
        acc_1d.append(accuracy(ok))
    loss_2d = [
        [
            round(_evaluate(_shifted(probe, base, [(a, dx), (b, dy)]), x, y, cfg.batch)[0], ROUND)
            for b in _coords(cfg.span, cfg.points_2d)
        ]
        for a in _coords(cfg.span, cfg.points_2d)
    ]
    return loss_1d, acc_1d, loss_2d


def _coords(span: float, points: int) -> list[float]:
    n = points - 1
    return [span * (2 * i - n) / n for i in range(points)]


def weight_landscape_file(
    models: dict[str, nn.Module],
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    cfg: WeightLandscapeConfig,
    run_seed: int,
) -> schema.WeightLandscapeFile:
    """x_train: uint8 NCHW; the first cfg.n images. Every model moves along its own normalized
    copies of the same random directions (same seeds), so the slices differ only by the model."""
    n = min(cfg.n, len(x_train))
    x, y = to_input(x_train[:n]), y_train[:n]
    seeds = cfg.seeds(run_seed)
    slices = []
    for mid, m in models.items():
        loss_1d, acc_1d, loss_2d = weight_slices(m, x, y, cfg, seeds)
        slices.append(schema.WeightSlices(model_id=mid, loss_1d=loss_1d, accuracy_1d=acc_1d, loss_2d=loss_2d))
    return schema.WeightLandscapeFile(
        measurement=schema.Measurement(split="train", first_index=0, n_images=n),
        normalization=FILTER_NORM,
        seeds=seeds,
        coords_1d=_coords(cfg.span, cfg.points_1d),
        coords_2d=_coords(cfg.span, cfg.points_2d),
        models=slices,
    )
