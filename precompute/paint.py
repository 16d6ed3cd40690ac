"""Painting a class: each example, and a neutral start, pushed toward every class.

A targeted L2 PGD with a large budget (Santurkar et al., 2019, "Image Synthesis with a Single
(Robust) Classifier"): a robust model's gradient points at features a person sees as the class, so
the pushed image grows wheels or fur; a regular model's push fools it with noise. The run is
`tour.trajectories.attack_images`, image by image on one thread, exactly as the lab's push mode
runs it, so the reader can push the same example in the lab and get these pixels.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from precompute.config import PaintConfig
from tour import schema
from tour.runtime import one_thread
from tour.schema import N_CLASSES
from tour.sprites import png, sheet
from tour.trajectories import attack_images, own_label

NEUTRAL = "the mean of the training images, pixel by pixel, rounded to 8 bits: a brownish blur with no class"


def neutral_start(x_train: np.ndarray) -> np.ndarray:
    """(32, 32, 3) uint8: the per-pixel mean of the training images."""
    return np.round(x_train.astype(np.float64).mean(0)).astype(np.uint8)


def paint_file(
    models: dict[str, nn.Module],
    examples: np.ndarray,
    indices: list[int],
    labels: list[int],
    neutral: np.ndarray,
    cfg: PaintConfig,
) -> tuple[schema.PaintFile, dict[str, bytes]]:
    """examples: (N, 32, 32, 3) uint8; models fp32 on the CPU. Rows: the examples, then the neutral start."""
    if (
        cfg.snapshots[0] != 0
        or cfg.snapshots[-1] != cfg.steps
        or list(cfg.snapshots) != sorted(cfg.snapshots)
    ):
        raise ValueError("snapshots must rise from 0 to steps")
    spec = cfg.attack()
    starts = np.concatenate([examples, neutral[None]])
    rows = len(starts)
    files: dict[str, bytes] = {}
    sprites: dict[str, list[str]] = {}
    probs: dict[str, list[list[list[float]]]] = {}
    reached: dict[str, schema.Accuracy] = {}
    for mid, model in models.items():
        with one_thread():
            neutral_label = own_label(model, neutral)  # as for an upload: the model's own verdict
            runs = [
                attack_images(
                    model, mid, starts, [*labels, neutral_label], [0] * rows, spec, targets=[target] * rows
                )
                for target in range(N_CLASSES)
            ]  # runs[target][row]
        probs[mid] = [
            [[runs[t][r].trajectory.steps[k].probs[t] for k in cfg.snapshots] for t in range(N_CLASSES)]
            for r in range(rows)
        ]
        hits = [
            runs[t][r].trajectory.steps[-1].pred == t
            for r in range(len(examples))
            for t in range(N_CLASSES)
            if t != labels[r]
        ]
        reached[mid] = schema.Accuracy.of(sum(hits), len(hits))
        sprites[mid] = []
        for k in cfg.snapshots:
            path = f"images/paint/{mid}-{k:03d}.png"
            tiles = np.stack([runs[t][r].adversarial[k] for r in range(rows) for t in range(N_CLASSES)])
            files[path] = png(sheet(tiles, N_CLASSES))
            sprites[mid].append(path)
    starts_doc = [
        schema.PaintStart(kind="example", test_index=i, label=lab)
        for i, lab in zip(indices, labels, strict=True)
    ] + [schema.PaintStart(kind="neutral", test_index=None, label=None)]
    doc = schema.PaintFile(
        attack=spec,
        neutral=NEUTRAL,
        snapshots=list(cfg.snapshots),
        model_ids=list(models),
        starts=starts_doc,
        sprites=sprites,
        target_probs=probs,
        reached=reached,
    )
    return doc, files
