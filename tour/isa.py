"""Pin torch's CPU kernels to AVX2 and MKL's to its vendor-neutral code, before torch computes anything.

The live lab must retrace the bundle's trajectories bit for bit. torch picks its vectorised kernels
by the host's widest ISA, and AVX-512 kernels sum floats in another order than AVX2 ones, so a bundle
made on one host would not retrace on the other. AVX2 is the widest ISA every x86-64 host we run on
has. MKL, which does the matrix products of a batch-of-one convolution and of the final layer,
dispatches on the CPU's vendor and ISA as well: a bundle made on an AMD EPYC did not retrace on an
Intel Xeon (same ISA, same libraries). MKL_CBWR=COMPATIBLE is MKL's conditional-numerical-
reproducibility mode that gives the same floats on every x86 CPU; measured here it costs a batch-of-one
PGD-10 about 100 ms instead of 64 (BENCHMARKS.md). Both variables are read lazily, at the first
kernel dispatch and the first MKL call, so importing this before torch has run anything is enough.
oneDNN is left alone: capping it (ONEDNN_MAX_CPU_ISA=AVX2) corrupts memory in channels-last
training on one thread with torch 2.13, and batch-of-one convolutions do not reach it.
An environment that sets a variable itself keeps its value.
"""

from __future__ import annotations

import os

PINNED = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"}

for _name, _value in PINNED.items():
    os.environ.setdefault(_name, _value)


def capability() -> str:
    """The kernel ISA torch actually dispatches to (e.g. 'AVX2'), for provenance and the lab's check."""
    import torch

    return torch.backends.cpu.get_cpu_capability()


def cpu_flags() -> set[str]:
    """The first CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            return set(next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), []))
    except OSError:
        return set()


def host_isa() -> str:
    """The widest x86 vector ISA the host offers, from /proc/cpuinfo: 'avx512f', 'avx2' or 'other'."""
    flags = cpu_flags()
    return next((isa for isa in ("avx512f", "avx2") if isa in flags), "other")


def native_bf16() -> bool:
    """Whether the CPU multiplies bf16 in hardware (AVX-512 BF16 or AMX). Elsewhere torch emulates
    bf16 with conversions, which trains slower than fp32, so training stays fp32 there."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})
