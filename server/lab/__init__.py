"""The live lab: PGD on CPU against the shipped models, through the precompute's own attack code."""
