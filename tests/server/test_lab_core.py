"""The live lab retraces the bundle: a gallery image attacked in-process with its bundle seed gives
the precomputed trajectory (records and pictures) for both models."""

from __future__ import annotations

import base64

import numpy as np

from server.lab.params import AttackParams, SourceInfo
from server.lab.testset import CifarTestSet
from tour import schema
from tour.bundle import load_bundle
from tour.sprites import decode, tiles_of


def test_gallery_image_matches_the_precomputed_trajectory(store, lab):
    """Every gallery image, both models (a near-zero gradient that flips sign shows in one in 200)."""
    traj = store.bundle.doc("trajectories.json", schema.TrajectoriesFile)
    for image in traj.images:
        check_image(store, lab, traj, image)


def check_image(store, lab, traj, image):
    spec = traj.attack
    assert lab.images.label(image.test_index) == image.label
    params = AttackParams(norm=spec.norm, eps=spec.eps, alpha=spec.alpha, steps=spec.steps)
    source = SourceInfo(kind="test", test_index=image.test_index, label=image.label)
    out = lab.attack(lab.images.pixels(image.test_index), params, source)  # seed: the bundle's own
    assert out.figure_match is True  # the lab's own check agrees
    columns = spec.steps + 1
    for run, ref in zip(out.runs, image.trajectories, strict=True):
        assert run.model_id == ref.model_id
        assert run.trajectory == ref  # bit for bit: same code, weights, batch of one, one thread
        for kind in ("adversarial", "perturbation"):
            got = tiles_of(
                decode(base64.b64decode(getattr(run, kind).split(",", 1)[1])), 32, columns, columns
            )
            want = tiles_of(
                decode(store.bundle.files[getattr(image.sprites[run.model_id], kind)]),
                32,
                columns,
                columns,
            )
            np.testing.assert_array_equal(got, want)


def test_the_lab_reads_every_test_image_exactly(tiny_run):
    """Export -> lossless WebP pages -> the lab's decoder gives back the data's own pixels and labels."""
    data = np.load(tiny_run["data"])
    testset = CifarTestSet.from_bundle(load_bundle(tiny_run["bundle"]))
    assert len(testset) == len(data["x_test"])
    for i in range(len(testset)):
        assert testset.label(i) == data["y_test"][i]
        np.testing.assert_array_equal(testset.pixels(i), data["x_test"][i])
    assert testset.label(len(testset)) is None
    doc = testset.doc
    assert [p.label for p in doc.pages] == sorted(p.label for p in doc.pages)  # class by class
    assert all(p.test_indices == sorted(p.test_indices) for p in doc.pages)


def test_the_gallery_and_the_test_set_hold_the_same_pixels(store, lab):
    gallery = store.gallery
    sprite = tiles_of(decode(store.bundle.files[gallery.sprite]), gallery.tile, gallery.columns, 10**9)
    for im in gallery.images:
        np.testing.assert_array_equal(lab.images.pixels(im.test_index), sprite[im.position])
