"""The machine a benchmark ran on, in one line: every table in BENCHMARKS.md names its host's ISA."""

from __future__ import annotations

import platform

import torch

from tour.isa import capability, cpu_flags, host_isa, native_bf16


def describe() -> str:
    """'x86_64, host ISA avx512f (AMX, native bf16: yes), torch 2.13.0+cpu, kernels AVX2'."""
    amx = "AMX, " if "amx_bf16" in cpu_flags() else ""
    return (
        f"{platform.processor() or platform.machine()}, host ISA {host_isa()} ({amx}native bf16: "
        f"{'yes' if native_bf16() else 'no'}), torch {torch.__version__}, kernels {capability()}"
    )
