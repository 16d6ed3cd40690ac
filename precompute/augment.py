"""Random crop (4-pixel zero padding) and horizontal flip of a uint8 batch, on its own device.

The offsets and flips are drawn on the CPU from a generator the caller seeds per epoch, so an
epoch's augmentation depends only on (seed, epoch) and a resumed run repeats it exactly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from precompute.config import CROP_PAD


def crop_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """x: (B, C, H, W) uint8 -> the same shape, each shifted by up to CROP_PAD pixels and maybe mirrored."""
    b, c, h, w = x.shape
    dy = torch.randint(0, 2 * CROP_PAD + 1, (b, 1), generator=gen).to(x.device)
    dx = torch.randint(0, 2 * CROP_PAD + 1, (b, 1), generator=gen).to(x.device)
    flip = (torch.rand((b, 1), generator=gen) < 0.5).to(x.device)
    padded = F.pad(x, (CROP_PAD, CROP_PAD, CROP_PAD, CROP_PAD))
    rows = dy + torch.arange(h, device=x.device)
    cols = torch.where(
        flip, dx + torch.arange(w - 1, -1, -1, device=x.device), dx + torch.arange(w, device=x.device)
    )
    out = padded.gather(2, rows.view(b, 1, h, 1).expand(b, c, h, w + 2 * CROP_PAD))
    return out.gather(3, cols.view(b, 1, 1, w).expand(b, c, h, w))
