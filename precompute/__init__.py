"""Offline jobs that train the article's models on CIFAR-10 and export the artifact bundle."""

from precompute import isa as _isa  # noqa: F401  (pins the CPU kernels before torch is first used)
