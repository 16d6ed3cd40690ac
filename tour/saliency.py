"""What the gradient looks at: input gradients of the loss, SmoothGrad, and how image-like they are.

A model's input gradient says which pixel changes move its loss most. For regular networks it looks
like noise; for adversarially trained ones it tends to follow the object (Tsipras et al., 2019;
Etmann et al., 2019). SmoothGrad (Smilkov et al., 2017) averages the gradient over noisy copies of
the image, which removes some of that noise for any model. `edge_correlation` turns "looks like the
image" into one number per image: the Pearson correlation between the gradient's magnitude and the
image's own edges. The precompute's saliency stage and the server's lab both call these functions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tour import schema
from tour.attacks import eval_mode

SOBEL = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights: the edge map is taken on brightness


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d(cross-entropy of y)/dx for images x in [0, 1], (B, 3, H, W); the model in eval mode."""
    x = x.detach().requires_grad_(True)
    with eval_mode(model), torch.enable_grad():
        loss = F.cross_entropy(model(x).float(), y, reduction="sum")  # sum: each image's own gradient
        (grad,) = torch.autograd.grad(loss, x)
    return grad


def smooth_gradient(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: schema.SmoothGradSpec
) -> torch.Tensor:
    """The mean input gradient over cfg.samples noisy copies of each image, Gaussian noise of std
    cfg.sigma drawn on the CPU from cfg.seed, so an image gets the same SmoothGrad everywhere."""
    gen = torch.Generator().manual_seed(cfg.seed)
    total = torch.zeros_like(x)
    for _ in range(cfg.samples):
        noise = torch.randn(x.shape, generator=gen).to(x) * cfg.sigma
        total += input_gradient(model, x + noise, y)
    return total / cfg.samples


def picture(grad: torch.Tensor, quantile: float = 0.99) -> torch.Tensor:
    """(B, 3, H, W) gradients -> pictures in [0, 1]: 0.5 + g / (2 s), s the image's `quantile` of |g|,
    so grey is zero and the few largest values clip instead of washing out the rest."""
    s = grad.abs().flatten(1).quantile(quantile, dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
    return (0.5 + grad / (2 * s)).clamp(0, 1)


def edge_map(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) images -> (B, H, W) Sobel gradient magnitude of their brightness."""
    luma = (x * torch.tensor(LUMA, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    kernels = torch.stack([SOBEL, SOBEL.T]).unsqueeze(1).to(x)
    gx, gy = F.conv2d(F.pad(luma, (1, 1, 1, 1), mode="replicate"), kernels).unbind(1)
    return torch.sqrt(gx**2 + gy**2)


def edge_correlation(grad: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per image: Pearson correlation between |gradient| (summed over colour) and the edge map."""
    a = grad.abs().sum(1).flatten(1)
    b = edge_map(x).flatten(1)
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    corr: torch.Tensor = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)
    return corr
