"""Facts the prose states that no single bundle number holds, each derived from the bundle once, here:
the page prints them and the test that checks the page against the bundle recomputes them with the
same functions."""

from __future__ import annotations

import itertools
from functools import cache

from tour import schema
from tour.model import ResNet18, parameter_count

STANDARD_WIDTH = 64  # the ResNet-18 of He et al. (2016) as CIFAR papers train it


@cache
def standard_parameters() -> int:
    """Parameters of the standard-width CIFAR ResNet-18, for readers comparing with published work."""
    return parameter_count(ResNet18(width=STANDARD_WIDTH))


def top_guess_changes(per_epoch: list[list[float]]) -> int:
    """How often an image's top class changes from one epoch to the next."""
    tops = [max(range(len(p)), key=p.__getitem__) for p in per_epoch]
    return sum(a != b for a, b in itertools.pairwise(tops))


def most_changing_example(doc: schema.EpochProbsFile, model_id: str) -> tuple[int, int]:
    """(example position, changes) of the example whose top guess changes most across epochs; the
    first such example on ties, so the page and its check agree."""
    epochs = doc.probs[model_id]
    changes = [top_guess_changes([e[i] for e in epochs]) for i in range(len(epochs[0]))]
    best = max(range(len(changes)), key=changes.__getitem__)
    return best, changes[best]


def mean_confidence(doc: schema.TrajectoriesFile, model_id: str) -> float:
    """Mean probability a model gives its own top class on the clean gallery images."""
    tops = [max(t.clean.probs) for im in doc.images for t in im.trajectories if t.model_id == model_id]
    return sum(tops) / len(tops)
