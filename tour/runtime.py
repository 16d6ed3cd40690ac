"""Device plumbing shared by every stage: seeds, input conversion, mixed precision, CPU threads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Literal, cast

import numpy as np
import torch

from tour.isa import native_bf16

Precision = Literal["bf16", "fp32"]


def derive_seed(*parts: object) -> int:
    """A 31-bit seed that depends only on `parts` (e.g. run seed, model, epoch): no RNG state to save."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def generator(*parts: object) -> torch.Generator:
    return torch.Generator().manual_seed(derive_seed(*parts))


def to_input(x_u8: torch.Tensor) -> torch.Tensor:
    """uint8 NCHW -> float in [0, 1]; channels_last on CUDA, where convolutions run faster in it."""
    x = x_u8.float().div_(255)
    return x.contiguous(memory_format=torch.channels_last) if x.is_cuda else x


def autocast(device: torch.device) -> AbstractContextManager[object]:
    """Evaluation: bf16 on CUDA (losses are still taken in fp32 by the callers); plain fp32 on the
    CPU, where every number a reader sees is measured."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def train_precision(setting: str, device: torch.device) -> Precision:
    """Resolve a training precision knob: 'auto' is bf16 on CUDA and on CPUs with native bf16
    (tour.isa.native_bf16), fp32 elsewhere; 'bf16' and 'fp32' are taken as they are."""
    if setting == "auto":
        return "bf16" if device.type == "cuda" or native_bf16() else "fp32"
    if setting not in ("bf16", "fp32"):
        raise ValueError(f"precision must be 'auto', 'bf16' or 'fp32', not {setting!r}")
    return cast(Precision, setting)


def mixed_precision(device: torch.device, precision: Precision) -> AbstractContextManager[object]:
    """Training's forward passes (the attack's input gradient included) under bf16 autocast, or fp32."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def nchw(x_nhwc: np.ndarray, device: torch.device) -> torch.Tensor:
    """A uint8 NHWC numpy array -> a uint8 NCHW tensor on `device` (the data stays uint8 there)."""
    return torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous().to(device)


@contextmanager
def one_thread() -> Iterator[None]:
    """One intra-op CPU thread, restored after. The live lab runs each model on one thread; work it
    must retrace bit for bit runs the same way, since the thread count changes the order of float
    sums, and an input gradient that is nearly zero can then flip sign in a PGD step."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
