"""PGD trajectories of single images: the one implementation behind the bundle and the live lab.

`attack_images` runs PGD on images one at a time with the per-image seeds of `trajectory_seed` and turns
the run into schema StepRecords plus uint8 pictures of every iterate and its perturbation. The
precompute calls it on the gallery with the exported (fp16 -> fp32) weights on the CPU, and the
server's live lab calls it on the same inputs, so both produce the same trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tour import schema
from tour.attacks import ball, eval_mode, pgd
from tour.runtime import derive_seed
from tour.sprites import to_pixels

DIGITS = 6  # decimals kept in the JSON: far below what a chart shows, a third of the bytes


def trajectory_seed(run_seed: int, test_index: int) -> int:
    """The random-start seed of test image `test_index` in a run seeded `run_seed`."""
    return derive_seed(run_seed, "trajectory", test_index)


@dataclass(frozen=True)
class ImageAttack:
    trajectory: schema.Trajectory
    adversarial: np.ndarray  # (steps + 1, 32, 32, 3) uint8: x_0 (the random start) ... x_steps
    perturbation: np.ndarray  # same shape: 0.5 + delta / (2 s), so the eps-ball fills 0..255
    scale: float = 0.0  # s above: eps for L-inf, the run's largest pixel change for L2


def perturbation_scale(deltas: torch.Tensor, spec: schema.AttackSpec) -> float:
    """The s of the perturbation pictures, as the spec's threat model draws them; never 0, so eps = 0
    draws a plain grey."""
    return max(ball(spec.norm, spec.eps).picture_scale(deltas), 1e-12)


def _record(logits: torch.Tensor, loss: torch.Tensor, delta: torch.Tensor) -> schema.StepRecord:
    probs = logits.softmax(0)
    return schema.StepRecord(
        probs=[round(p, DIGITS) for p in probs.tolist()],
        loss=round(float(loss), DIGITS),
        pred=int(probs.argmax()),
        linf=float(delta.abs().max()),
        l2=float(delta.norm()),
    )


def own_label(model: nn.Module, image: np.ndarray) -> int:
    """The model's clean prediction for a (32, 32, 3) uint8 image: the label of an image that has
    none (the reader's upload, the painting's neutral start), so its push and loss have a reference."""
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255
    with eval_mode(model), torch.no_grad():
        return int(model(x).argmax())


def attack_images(
    model: nn.Module,
    model_id: str,
    images: np.ndarray,
    labels: list[int],
    seeds: list[int],
    spec: schema.AttackSpec,
    *,
    targets: list[int] | None = None,
) -> list[ImageAttack]:
    """images: (B, 32, 32, 3) uint8 on the CPU; the model fp32 on the CPU. One result per image.

    `spec` is the attack (PGD: norm, eps, alpha, steps, random start) exactly as the bundle records it;
    `seeds` are the images' own random-start seeds and `targets` the lab's targeted runs.
    Each image is attacked alone, in a batch of one, as the live lab does: a convolution's float
    sums depend on the batch size, and PGD's sign step turns a last-digit change in a near-zero
    gradient into a different pixel, so only equal batches retrace each other bit for bit.
    Perturbations are drawn as 0.5 + delta / (2 s): s = eps for L-inf; for L2, whose ball lets one
    pixel move by up to eps, s is the largest pixel change of the image's run (see `perturbation_scale`).
    """
    return [
        _attack_one(
            model,
            model_id,
            images[i],
            labels[i],
            seeds[i],
            spec,
            target=None if targets is None else targets[i],
        )
        for i in range(len(images))
    ]


def _attack_one(
    model: nn.Module,
    model_id: str,
    image: np.ndarray,
    label: int,
    seed: int,
    spec: schema.AttackSpec,
    *,
    target: int | None,
) -> ImageAttack:
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255
    y = torch.tensor([label], dtype=torch.long)
    with eval_mode(model), torch.no_grad():
        clean_logits = model(x).float()[0]
    clean_loss = torch.nn.functional.cross_entropy(clean_logits, y[0])
    goal = None if target is None else torch.tensor([target], dtype=torch.long)
    run = pgd(model, x, y, spec, seeds=[seed], target=goal, record=True)
    assert run.iterates is not None and run.logits is not None and run.losses is not None  # record=True
    iterates = torch.stack(run.iterates, 1)[0]  # (steps + 1, C, H, W)
    deltas = iterates - x
    steps = [_record(run.logits[k][0], run.losses[k][0], deltas[k]) for k in range(spec.steps + 1)]
    wrong = [k for k, s in enumerate(steps) if s.pred != label]
    trajectory = schema.Trajectory(
        model_id=model_id,
        clean=_record(clean_logits, clean_loss, torch.zeros(1)),
        steps=steps,
        first_misclassified=wrong[0] if wrong else None,
    )
    scale = perturbation_scale(deltas, spec)
    return ImageAttack(trajectory, to_pixels(iterates), to_pixels(0.5 + deltas / (2 * scale)), scale)
