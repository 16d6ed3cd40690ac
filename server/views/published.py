"""Published results the trade-off section sets beside our own, cited and never re-measured.

Each entry names its conditions, because clean and robust accuracies are only comparable between
models of the same size, schedule and evaluation. Both rows are quoted from RobustBench's CIFAR-10
L∞ leaderboard (Croce et al., 2021), which re-evaluated the authors' own checkpoints with AutoAttack,
so they are measured alike; our row's APGD-CE + APGD-T is the two strongest of AutoAttack's four
attacks. `ref` and `numbers_ref` are ids in the article's list of references.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    who: str  # how the page names the source
    ref: str  # the paper that trained the model
    network: str
    training: str  # the training attack and schedule
    evaluation: str  # the attack its robust number is measured with
    numbers_ref: str  # where the two numbers are quoted from
    clean: str  # as the source prints them
    robust: str


PUBLISHED = (
    Published(
        who="Wong et al. (2020)",
        ref="wong2020",
        network="PreAct ResNet-18, width 64",
        training="FGSM with a random start, 15 epochs",
        evaluation="AutoAttack",
        numbers_ref="croce2021",
        clean="83.34 %",
        robust="43.21 %",
    ),
    Published(
        who="Andriushchenko & Flammarion (2020)",
        ref="andriushchenko2020",
        network="PreAct ResNet-18, width 64",
        training="FGSM with GradAlign, 30 epochs",
        evaluation="AutoAttack",
        numbers_ref="croce2021",
        clean="79.84 %",
        robust="43.93 %",
    ),
)
