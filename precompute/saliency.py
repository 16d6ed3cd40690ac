"""What the gradient looks at: the gallery's input gradients as pictures, and one number for how
image-like each model's gradients are (tour.saliency does the arithmetic; this builds the file)."""

from __future__ import annotations

import torch
from torch import nn

from precompute.config import GALLERY_COLUMNS, SaliencyConfig
from tour import schema
from tour.runtime import one_thread, to_input
from tour.saliency import edge_correlation, input_gradient, picture, smooth_gradient
from tour.sprites import png, sheet, to_pixels

PICTURE = (
    "each image's gradient of the loss drawn as 0.5 + g / (2 s) per pixel and colour, s the image's "
    "99th percentile of |g|: grey is zero, and the brightest and darkest 1 % clip"
)
EDGE_RULE = (
    "per image, the Pearson correlation between |gradient| summed over colours and the Sobel edge "
    "magnitude of the image's brightness (0.299 R + 0.587 G + 0.114 B); 1 would mean the gradient is "
    "largest exactly where the image has edges, 0 that the two are unrelated"
)


def _gradients(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    sg: schema.SmoothGradSpec,
    batch: int,
    fixed: bool = False,
):
    """Plain and SmoothGrad gradients in batches. With `fixed` noise every batch draws it from the
    seed itself: at batch 1 (the gallery, on one thread) each image gets what the lab computes for it
    alone; otherwise batch k draws from seed + k, so the score's images get independent noise."""
    plain, smooth = [], []
    for k, i in enumerate(range(0, len(x), batch)):
        xb, yb = x[i : i + batch], y[i : i + batch]
        plain.append(input_gradient(model, xb, yb))
        seed = sg.seed if fixed else sg.seed + k
        smooth.append(smooth_gradient(model, xb, yb, sg.model_copy(update={"seed": seed})))
    return torch.cat(plain), torch.cat(smooth)


def saliency_file(
    models: dict[str, nn.Module],
    x_gallery: torch.Tensor,
    y_gallery: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    cfg: SaliencyConfig,
    run_seed: int,
) -> tuple[schema.SaliencyFile, dict[str, bytes]]:
    """x_*: uint8 NCHW on the CPU; models: the regular model first, then the robust one."""
    spec = cfg.smoothgrad(run_seed)
    n = min(cfg.edge_n, len(x_test))
    gallery_x, test_x = to_input(x_gallery), to_input(x_test[:n])
    files, sprites, scores, per_image = {}, {}, [], {}
    for mid, model in models.items():
        paths = schema.GradientSprites(
            gradient=f"images/saliency/{mid}-gradient.png", smoothgrad=f"images/saliency/{mid}-smoothgrad.png"
        )
        with one_thread():
            plain, smooth = _gradients(model, gallery_x, y_gallery, spec, 1, fixed=True)
        files[paths.gradient] = png(sheet(to_pixels(picture(plain)), GALLERY_COLUMNS))
        files[paths.smoothgrad] = png(sheet(to_pixels(picture(smooth)), GALLERY_COLUMNS))
        sprites[mid] = paths
        plain, smooth = _gradients(model, test_x, y_test[:n], spec, cfg.batch)
        per_image[mid] = (edge_correlation(plain, test_x), edge_correlation(smooth, test_x))
        scores.append(
            schema.EdgeScore(
                model_id=mid,
                gradient=schema.MeanInterval.of(per_image[mid][0]),
                smoothgrad=schema.MeanInterval.of(per_image[mid][1]),
            )
        )
    regular, robust = (per_image[m] for m in list(models)[:2])
    return (
        schema.SaliencyFile(
            model_ids=list(models),
            smoothgrad=spec,
            picture=PICTURE,
            gallery=schema.Measurement(split="gallery", first_index=0, n_images=len(x_gallery)),
            sprites=sprites,
            edges=schema.Measurement(split="test", first_index=0, n_images=n),
            edge_rule=EDGE_RULE,
            scores=scores,
            difference={
                "gradient": schema.MeanInterval.of(robust[0] - regular[0]),
                "smoothgrad": schema.MeanInterval.of(robust[1] - regular[1]),
            },
        ),
        files,
    )
