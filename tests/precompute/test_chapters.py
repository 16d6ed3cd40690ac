"""The chapter stages (paint, saliency, landscapes) in the tiny preset, and `extend`, which adds them
to a bundle made before they existed."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from precompute.config import tiny
from precompute.data import load_cifar, split
from precompute.pipeline import extend
from precompute.stages import CHAPTER_STAGES, graph
from tests.support import write_synthetic_npz
from tour import schema
from tour.bundle import load_bundle, write_manifest
from tour.weights import load_model

pytestmark = pytest.mark.usefixtures("single_thread")
CHAPTER_FILES = (
    "paint.json",
    "saliency.json",
    "input_landscape.json",
    "weight_landscape.json",
    "capacity.json",
)


def _chapter_paths(bundle) -> set[str]:
    names = {e.path for e in load_bundle(bundle).manifest.files}
    return {p for p in names if p in CHAPTER_FILES or p.startswith(("images/paint/", "images/saliency/"))}


def _as_older_bundle(src, dst) -> None:
    """`src` as a format-5 reader wrote it: no chapter files, run.json without their config."""
    shutil.copytree(src, dst)
    for rel in _chapter_paths(src):
        (dst / rel).unlink()
    run_doc = json.loads((dst / "run.json").read_text())
    for key in ("paint", "saliency", "input_landscape", "weight_landscape", "capacity"):
        del run_doc["config"][key]
    del run_doc["config"]["train"]["last_stage"]  # a knob added with the capacity study
    del run_doc["extensions"]
    (dst / "run.json").write_text(json.dumps(run_doc))
    write_manifest(dst, "tiny")
    manifest = json.loads((dst / "manifest.json").read_text())
    (dst / "manifest.json").write_text(json.dumps({**manifest, "format_version": 5}))


def test_extend_adds_the_full_runs_chapter_files_to_an_older_bundle(tiny_run, tmp_path):
    old, out = tmp_path / "old", tmp_path / "out"
    _as_older_bundle(tiny_run["bundle"], old)
    extend(tiny(), str(tiny_run["data"]), old, out, tmp_path / "work")
    paths = _chapter_paths(tiny_run["bundle"])
    assert _chapter_paths(out) == paths
    for rel in paths:  # byte for byte what the full run wrote
        assert (out / rel).read_bytes() == (tiny_run["bundle"] / rel).read_bytes(), rel
    run_doc = load_bundle(out).doc("run.json", schema.RunFile)
    (ext,) = run_doc.extensions
    capacity = [s.name for s in graph(tiny()) if s.name.startswith("train_cap_")] + ["capacity"]
    assert [t.name for t in ext.stages] == ["trajectories", *CHAPTER_STAGES, *capacity]
    assert run_doc.config == json.loads(json.dumps(tiny().as_dict()))
    assert (out / "trajectories.json").read_bytes() == (old / "trajectories.json").read_bytes()


def test_extend_refuses_another_dataset_or_preset(tiny_run, tmp_path):
    other = write_synthetic_npz(tmp_path / "other.npz", n_train=360)
    with pytest.raises(SystemExit, match="not the dataset"):
        extend(tiny(), str(other), tiny_run["bundle"], tmp_path / "a", tmp_path / "w1")
    from dataclasses import replace

    with pytest.raises(SystemExit, match="another config"):
        extend(
            replace(tiny(), seed=3),
            str(tiny_run["data"]),
            tiny_run["bundle"],
            tmp_path / "b",
            tmp_path / "w2",
        )


def _examples(tiny_run):
    b = load_bundle(tiny_run["bundle"])
    gallery = b.doc("gallery.json", schema.GalleryFile)
    return b, [im.test_index for im in gallery.images[: gallery.n_examples]]


def test_paint_sheets_hold_every_start_and_target(tiny_run):
    b, examples = _examples(tiny_run)
    paint = b.doc("paint.json", schema.PaintFile)
    cfg = tiny().paint
    assert paint.snapshots == list(cfg.snapshots) and paint.attack == cfg.attack()
    assert [s.test_index for s in paint.starts] == [*examples, None] and paint.starts[-1].kind == "neutral"
    for mid in paint.model_ids:
        assert paint.reached[mid].n == len(examples) * 9  # every example toward each other class
        first = np.asarray(Image.open(tiny_run["bundle"] / paint.sprites[mid][0]))
        assert first.shape == (32 * len(paint.starts), 320, 3)
        cifar = load_cifar(tiny_run["data"])
        # step 0 is the start itself: row r repeats example r in every column
        assert (first[:32, 32:64] == cifar.x_test[examples[0]]).all()
        probs = paint.target_probs[mid]
        assert len(probs) == len(paint.starts) and all(len(p) == 10 for p in probs)
        assert all(len(t) == len(paint.snapshots) for p in probs for t in p)


def test_saliency_difference_is_the_paired_difference_of_the_scores(tiny_run):
    b, _ = _examples(tiny_run)
    s = b.doc("saliency.json", schema.SaliencyFile)
    regular, robust = s.scores
    for kind in ("gradient", "smoothgrad"):
        diff = s.difference[kind]
        assert diff.mean == pytest.approx(getattr(robust, kind).mean - getattr(regular, kind).mean)
        assert diff.n == getattr(regular, kind).n == s.edges.n_images
    assert s.gallery.n_images == len(b.doc("gallery.json", schema.GalleryFile).images)


def test_landscapes_are_centred_on_the_trained_model(tiny_run):
    """The input grid's centre is the clean image; the weight slices' centre is the trained model."""
    b, examples = _examples(tiny_run)
    cfg = tiny()
    data = split(load_cifar(tiny_run["data"]), cfg.data.n_train, cfg.data.n_holdout)
    doc = b.doc("input_landscape.json", schema.InputLandscapeFile)
    weights = b.doc("weight_landscape.json", schema.WeightLandscapeFile)
    c = doc.grid.points // 2
    for i, mid in enumerate(doc.model_ids):
        model = load_model(tiny_run["bundle"] / f"weights/{mid}.safetensors")
        x = torch.from_numpy(data.x_test[examples[0]]).permute(2, 0, 1)[None].float() / 255
        with torch.no_grad():
            loss = F.cross_entropy(model(x), torch.tensor([int(data.y_test[examples[0]])]))
        assert doc.images[0].loss[mid][c][c] == pytest.approx(float(loss), abs=1e-5)
        n = weights.measurement.n_images
        xt = torch.from_numpy(data.x_train[:n]).permute(0, 3, 1, 2).float() / 255
        with torch.no_grad():
            train_loss = F.cross_entropy(model(xt), torch.from_numpy(data.y_train[:n]))
        middle = len(weights.coords_1d) // 2
        assert weights.coords_1d[middle] == 0
        assert weights.models[i].loss_1d[middle] == pytest.approx(float(train_loss), abs=1e-5)


def test_capacity_models_share_a_schedule_and_differ_in_shape(tiny_run):
    b, _ = _examples(tiny_run)
    cap = b.doc("capacity.json", schema.CapacityFile)
    cfg = tiny()
    assert [m.id for m in cap.models] == [mid for mid, _, _ in cfg.capacity_models()]
    assert {m.epochs for m in cap.models} == {cfg.capacity.epochs}
    assert {m.kind for m in cap.models} == {"regular", "adversarial"}
    reduced = [m for m in cap.models if m.last_stage != 8 * m.width]
    assert [(m.width, m.last_stage) for m in reduced] == [s for s in cfg.capacity.reduced for _ in range(2)]
    by_shape = {(m.kind, m.width, m.last_stage): m.parameters for m in cap.models}
    assert (
        by_shape[("adversarial", 2, 16)] < by_shape[("adversarial", 4, 8)] < by_shape[("adversarial", 4, 32)]
    )
    for m in cap.models:
        assert m.clean.n == cap.clean.n_images and m.robust.n == cap.robust.n_images
        assert (m.train_attack is None) == (m.kind == "regular")
        assert m.robust.correct <= m.clean.n
