"""The kernel both wings run: the bundle format and its verified reader and writer, the model and its
weights, the attack, the per-image trajectory and its pictures, and the rules (seeds, threads, CPU
ISA) that make results bit-exact. It imports neither the offline pipeline nor the server."""

from tour import isa as _isa  # noqa: F401  (pins the CPU kernels before torch is first used)
