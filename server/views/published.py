"""Published results the trade-off section sets beside our own, cited and never re-measured.

Each entry names its conditions, because clean and robust accuracies are only comparable between
models of the same size, schedule and evaluation. The reference key is an id in the article's list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    who: str  # how the page names the source
    ref: str  # the id of its entry in the article's references
    network: str
    training: str  # the training attack and schedule
    evaluation: str  # the attack its robust number is measured with
    clean: str  # as the source prints them
    robust: str


PUBLISHED = (
    Published(
        who="Wong et al. (2020)",
        ref="wong2020",
        network="PreAct ResNet-18, width 64",
        training="FGSM with a random start, 15 epochs",
        evaluation="PGD-50, 10 restarts, 8/255",
        clean="86.1 %",
        robust="46.1 %",
    ),
)
