"""Stage results -> bundle documents and pictures; pure (the pipeline writes what this returns)."""

from __future__ import annotations

import numpy as np

from precompute.config import (
    GALLERY_COLUMNS,
    SHOWN_IDS,
    TESTSET_COLUMNS,
    TESTSET_PAGE,
    TRAIN_EPS_255,
    PipelineConfig,
    TrainConfig,
    model_id,
)
from precompute.train import TrainState
from tour import schema
from tour.bundle import dump_json
from tour.schema import N_CLASSES
from tour.sprites import png, sheet, webp
from tour.trajectories import ImageAttack

GALLERY_RULE = (
    "the gallery holds the first 10 test images of every class, in test-set order; its first row, the "
    "examples, holds for each class the first of these that the regular model classifies correctly "
    "(the first image if it gets none right), so the article opens on images the model knows; "
    "gallery[10 * r + c] is the r-th of class c's remaining images after its example is taken out"
)


def label(mid: str, train_eps: float) -> str:
    return (
        "Regular training" if train_eps == 0 else f"Adversarial training, eps = {round(train_eps * 255)}/255"
    )


def selection(cfg: TrainConfig, train_eps: float, n_holdout: int, run_seed: int) -> schema.Measurement:
    """Regular: clean accuracy on the whole hold-out; adversarial: PGD at the training eps on its start."""
    if train_eps == 0:
        return schema.Measurement(split="train_holdout", first_index=0, n_images=n_holdout)
    n = min(cfg.holdout_attack_n, n_holdout)
    attack = cfg.holdout_attack(train_eps, run_seed)
    return schema.Measurement(split="train_holdout", first_index=0, n_images=n, attack=attack)


def probe_measurements(
    cfg: TrainConfig, n_test: int, run_seed: int
) -> tuple[schema.Measurement, schema.Measurement]:
    """The per-epoch clean and PGD test measurements (shared by every model)."""
    clean = schema.Measurement(split="test", first_index=0, n_images=min(cfg.eval_clean_n, n_test))
    robust = schema.Measurement(
        split="test", first_index=0, n_images=min(cfg.eval_pgd_n, n_test), attack=cfg.probe(run_seed)
    )
    return clean, robust


def gallery(
    images: np.ndarray, indices: list[int], labels: list[int], n_examples: int
) -> tuple[schema.GalleryFile, bytes]:
    doc = schema.GalleryFile(
        classes=list(schema.CLASSES),
        rule=GALLERY_RULE,
        n_examples=n_examples,
        tile=images.shape[1],
        columns=GALLERY_COLUMNS,
        sprite="images/gallery.png",
        images=[
            schema.GalleryImage(position=i, test_index=t, label=lab)
            for i, (t, lab) in enumerate(zip(indices, labels, strict=True))
        ],
    )
    return doc, png(sheet(images, GALLERY_COLUMNS))


def testset(x_test: np.ndarray, y_test: np.ndarray) -> tuple[schema.TestSetFile, dict[str, bytes]]:
    """Every test image in pages of one class, in test order within the class: the lab's browser."""
    pages, files = [], {}
    for k in range(N_CLASSES):
        members = np.flatnonzero(y_test == k)
        for start in range(0, len(members), TESTSET_PAGE):
            chunk = members[start : start + TESTSET_PAGE]
            path = f"testset/{schema.CLASSES[k]}-{start // TESTSET_PAGE:02d}.webp"
            files[path] = webp(sheet(x_test[chunk], TESTSET_COLUMNS))
            pages.append(schema.TestSetPage(path=path, label=k, test_indices=[int(i) for i in chunk]))
    doc = schema.TestSetFile(
        n_images=len(x_test),
        tile=x_test.shape[1],
        columns=TESTSET_COLUMNS,
        page_size=TESTSET_PAGE,
        pages=pages,
    )
    return doc, files


def trajectories(
    attacks: dict[str, list[ImageAttack]],
    indices: list[int],
    labels: list[int],
    spec: schema.AttackSpec,
) -> tuple[schema.TrajectoriesFile, dict[str, bytes]]:
    """attacks: model id -> one ImageAttack per gallery image; returns the document and its strips
    (images/trajectories/<position>-<model>-<kind>.png, about 23 KB each)."""
    files, images = {}, []
    for i, (t, lab) in enumerate(zip(indices, labels, strict=True)):
        sprites = {}
        for mid, runs in attacks.items():
            pair = schema.SpritePair(
                adversarial=f"images/trajectories/{i:03d}-{mid}-adversarial.png",
                perturbation=f"images/trajectories/{i:03d}-{mid}-perturbation.png",
            )
            files[pair.adversarial] = png(sheet(runs[i].adversarial, len(runs[i].adversarial)))
            files[pair.perturbation] = png(sheet(runs[i].perturbation, len(runs[i].perturbation)))
            sprites[mid] = pair
        trajectories = [runs[i].trajectory for runs in attacks.values()]
        images.append(
            schema.ImageTrajectories(
                position=i, test_index=t, label=lab, trajectories=trajectories, sprites=sprites
            )
        )
    return schema.TrajectoriesFile(attack=spec, model_ids=list(attacks), images=images), files


def model_info(
    cfg: PipelineConfig, eps255: int, state: TrainState, n_holdout: int, parameters: int, precision: str
) -> schema.ModelInfo:
    mid, eps, tcfg = model_id(eps255), eps255 / 255, cfg.train
    return schema.ModelInfo(
        id=mid,
        label=label(mid, eps),
        train_eps=eps,
        train_attack=tcfg.train_attack(eps, cfg.seed),
        epochs=tcfg.epochs,
        selected_epoch=state.best_epoch,
        selection=selection(tcfg, eps, n_holdout, cfg.seed),
        width=tcfg.width,
        parameters=parameters,
        precision=precision,  # type: ignore[arg-type]
        ema=tcfg.ema,
    )


def bundle_files(
    cfg: PipelineConfig,
    infos: dict[str, schema.ModelInfo],
    results: dict[str, TrainState],
    weights: dict[str, bytes],
    n_test: int,
    x_test: np.ndarray,
    y_test: np.ndarray,
    gallery_idx: list[int],
    order: list[int],
) -> dict[str, bytes]:
    """The files that come from training itself: curves, epoch probabilities, gallery, test set, weights."""
    clean, robust = probe_measurements(cfg.train, n_test, cfg.seed)
    training = schema.TrainingFile(
        clean=clean,
        pgd=robust,
        models=[
            schema.ModelHistory(
                model=infos[mid], epochs=[schema.EpochRecord(**h) for h in results[mid].history]
            )
            for mid in infos
        ],
    )
    epoch_probs = schema.EpochProbsFile(
        measurement=schema.Measurement(split="gallery", first_index=0, n_images=N_CLASSES),
        model_ids=list(SHOWN_IDS),
        probs={
            mid: [[epoch[p] for p in order[:N_CLASSES]] for epoch in results[mid].gallery_probs]
            for mid in SHOWN_IDS
        },
    )
    labels = [int(y_test[i]) for i in gallery_idx]
    gallery_doc, gallery_png = gallery(x_test[gallery_idx], gallery_idx, labels, n_examples=N_CLASSES)
    testset_doc, testset_pages = testset(x_test, y_test)
    files = {
        "training.json": dump_json(training),
        "epoch_probs.json": dump_json(epoch_probs),
        "gallery.json": dump_json(gallery_doc),
        gallery_doc.sprite: gallery_png,
        "testset.json": dump_json(testset_doc),
        **testset_pages,
    }
    files.update({f"weights/{mid}.safetensors": weights[mid] for mid in infos})
    return files


def run_file(
    cfg: PipelineConfig,
    source: schema.DataSource,
    infos: list[schema.ModelInfo],
    timings: list[schema.StageTiming],
    provenance: dict,
) -> schema.RunFile:
    return schema.RunFile(
        preset=cfg.preset,
        seed=cfg.seed,
        data=source,
        config=cfg.as_dict(),
        stages=timings,
        models=infos,
        weights=[
            schema.WeightsFile(
                model_id=mid, path=f"weights/{mid}.safetensors", dtype="float16", width=cfg.train.width
            )
            for mid in (model_id(e) for e in TRAIN_EPS_255)
        ],
        **provenance,
    )
