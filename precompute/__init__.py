"""Offline jobs that train the article's models on CIFAR-10 and export the artifact bundle."""

import tour  # noqa: F401  (the kernel pins torch's CPU kernels before anything runs)
