"""The lab's inspect mode: what one model's gradient looks at, and the loss landscape around an image.

The arithmetic is the kernel's (tour.saliency, tour.landscape) and the settings are the bundle's
(saliency.json's SmoothGrad, input_landscape.json's grid). The precompute ran both one image at a
time on one thread, from a contiguous uint8 NCHW batch; this does the same for the one image here,
so a gallery image gets the bundle's gradient pictures and an example the bundle's landscape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tour import schema
from tour.bundle import Bundle
from tour.landscape import input_landscape
from tour.runtime import nchw, to_input
from tour.saliency import input_gradient, picture, smooth_gradient
from tour.sprites import to_pixels
from tour.trajectories import DIGITS

CPU = torch.device("cpu")


@dataclass(frozen=True)
class InspectSettings:
    """The bundle's own settings, read once: nothing of the measurement is typed twice."""

    smoothgrad: schema.SmoothGradSpec
    grid: schema.InputGridSpec
    coords: list[float]
    picture: str

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> InspectSettings:
        saliency = bundle.doc("saliency.json", schema.SaliencyFile)
        landscape = bundle.doc("input_landscape.json", schema.InputLandscapeFile)
        return cls(saliency.smoothgrad, landscape.grid, landscape.coords, saliency.picture)


@dataclass(frozen=True)
class Inspection:
    gradient: np.ndarray  # (32, 32, 3) uint8 picture of the input gradient
    smoothgrad: np.ndarray  # the same for SmoothGrad
    loss: list[list[float]]  # [adversarial i][random j], rounded as input_landscape.json is
    pred: list[list[int]]


def inspect_image(model: nn.Module, image: np.ndarray, label: int, settings: InspectSettings) -> Inspection:
    """image: (32, 32, 3) uint8; `label` the class whose loss is taken. Blocking CPU work; the
    caller sets the thread count (one, as the precompute ran it)."""
    x = to_input(nchw(image[None].copy(), CPU))  # contiguous NCHW, as the precompute's batch slices are
    y = torch.tensor([label], dtype=torch.long)
    sg, grid = settings.smoothgrad, settings.grid
    plain = input_gradient(model, x, y)
    smooth = smooth_gradient(model, x, y, sg)
    surface = input_landscape(model, x, y, grid)
    return Inspection(
        gradient=to_pixels(picture(plain))[0],
        smoothgrad=to_pixels(picture(smooth))[0],
        loss=np.round(surface.loss.double().numpy(), DIGITS).tolist(),
        pred=surface.pred.tolist(),
    )
