"""The capacity study: the same recipes at several network shapes, measured the same way.

Training is the pipeline's own `train` (one resumable stage per model); this module only measures
the trained models and builds capacity.json: clean accuracy on the whole test set, and PGD-10 at the
headline eps on its first images, with the evaluation's attack spec and per-image starts.
"""

from __future__ import annotations

import torch

from precompute.accuracy import clean_score, pgd_accuracy
from precompute.config import PipelineConfig, TrainConfig
from tour import schema
from tour.model import ResNet18, parameter_count


def capacity_model(
    mid: str,
    tcfg: TrainConfig,
    eps255: int,
    model: torch.nn.Module,
    selected_epoch: int,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    cfg: PipelineConfig,
) -> schema.CapacityModel:
    """x_test: uint8 NCHW on the model's device; the model in eval mode with its selected weights."""
    n = min(cfg.capacity.pgd_n, len(x_test))
    spec = cfg.evaluation.pgd(10, cfg.seed)
    return schema.CapacityModel(
        id=mid,
        kind="regular" if eps255 == 0 else "adversarial",
        width=tcfg.width,
        last_stage=tcfg.last_stage or 8 * tcfg.width,
        parameters=parameter_count(ResNet18(tcfg.width, last=tcfg.last_stage)),
        train_attack=tcfg.train_attack(eps255 / 255, cfg.seed),
        epochs=tcfg.epochs,
        selected_epoch=selected_epoch,
        clean=clean_score(model, x_test, y_test, cfg.evaluation.batch).accuracy,
        robust=pgd_accuracy(model, x_test[:n], y_test[:n], spec, cfg.evaluation.batch),
    )


def capacity_file(
    models: list[schema.CapacityModel], n_test: int, cfg: PipelineConfig
) -> schema.CapacityFile:
    n = min(cfg.capacity.pgd_n, n_test)
    return schema.CapacityFile(
        clean=schema.Measurement(split="test", first_index=0, n_images=n_test),
        robust=schema.Measurement(
            split="test", first_index=0, n_images=n, attack=cfg.evaluation.pgd(10, cfg.seed)
        ),
        models=models,
    )
