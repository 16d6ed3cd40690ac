"""The live lab: PGD on CPU against the shipped models, through the kernel's own attack code (tour)."""
