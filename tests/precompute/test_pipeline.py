"""The whole pipeline in the tiny preset: a valid bundle, resume after a kill, atomic files, weights."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import torch

from precompute.config import SHOWN_IDS, tiny
from precompute.pipeline import run
from precompute.workspace import write_bundle
from tour import schema
from tour.bundle import BundleError, atomic_write_bytes, load_bundle
from tour.trajectories import attack_images, trajectory_seed
from tour.weights import load_model

pytestmark = pytest.mark.usefixtures("single_thread")

FILES = {
    "run.json",
    "training.json",
    "gallery.json",
    "epoch_probs.json",
    "trajectories.json",
    "sweep.json",
    "evaluation.json",
    "transfer.json",
    "paint.json",
    "saliency.json",
    "input_landscape.json",
    "weight_landscape.json",
    "capacity.json",
    "images/gallery.png",
    # the chapters' sheets: paint at each of the tiny preset's snapshot steps, gradients per kind
    *(f"images/paint/{mid}-{k:03d}.png" for mid in ("regular", "adv_eps8") for k in (0, 2, 4)),
    *(
        f"images/saliency/{mid}-{kind}.png"
        for mid in ("regular", "adv_eps8")
        for kind in ("gradient", "smoothgrad")
    ),
    # the tiny preset's 20 gallery images: a strip per image, model and kind
    *(
        f"images/trajectories/{i:03d}-{mid}-{kind}.png"
        for i in range(20)
        for mid in ("regular", "adv_eps8")
        for kind in ("adversarial", "perturbation")
    ),
    *(
        f"weights/{mid}.safetensors"
        for mid in ("regular", "adv_eps1", "adv_eps2", "adv_eps4", "adv_eps8", "adv_eps16")
    ),
    "testset.json",
    # the tiny preset's 100 synthetic test images, ten per class: one page per class
    *(f"testset/{name}-00.webp" for name in schema.CLASSES),
}


def test_bundle_is_complete_and_valid(tiny_bundle):
    b = load_bundle(tiny_bundle)
    assert {e.path for e in b.manifest.files} == FILES
    run_doc = b.doc("run.json", schema.RunFile)
    assert run_doc.preset == "tiny" and run_doc.data.kind == "npz"
    assert [m.id for m in run_doc.models] == [
        "regular",
        "adv_eps1",
        "adv_eps2",
        "adv_eps4",
        "adv_eps8",
        "adv_eps16",
    ]
    assert {s.name for s in run_doc.stages} >= {
        "data",
        "train_regular",
        "trajectories",
        "sweep",
        "evaluation",
    }
    training = b.doc("training.json", schema.TrainingFile)
    for h in training.models:
        assert len(h.epochs) == h.model.epochs
        assert h.model.selected_epoch == 1 + int(np.argmax([e.holdout_acc.value for e in h.epochs]))
    probs = b.doc("epoch_probs.json", schema.EpochProbsFile)
    assert set(probs.probs) == set(SHOWN_IDS) and len(probs.probs["regular"]) == tiny().train.epochs


def test_gallery_follows_its_rule(tiny_bundle, tiny_run):
    """Ten test images per class in test order; row 0 is each class's first one the regular model knows."""
    b = load_bundle(tiny_bundle)
    g = b.doc("gallery.json", schema.GalleryFile)
    with np.load(tiny_run["data"]) as z:
        x_test, y_test = z["x_test"], z["y_test"]
    regular = load_model(tiny_bundle / "weights/regular.safetensors")
    with torch.no_grad():
        pred = regular(torch.from_numpy(x_test).permute(0, 3, 1, 2).float() / 255).argmax(1).numpy()
    rows = len(g.images) // 10
    for c in range(10):
        column = [g.images[r * 10 + c] for r in range(rows)]
        assert all(im.label == c and im.position == r * 10 + c for r, im in enumerate(column))
        pool = [int(i) for i in np.flatnonzero(y_test == c)[:rows]]
        assert sorted(im.test_index for im in column) == pool
        assert [im.test_index for im in column[1:]] == [i for i in pool if i != column[0].test_index]
        known = [i for i in pool if pred[i] == c]
        assert column[0].test_index == (known[0] if known else pool[0])


def test_sweep_and_evaluation_are_consistent(tiny_bundle):
    """No attack beats clean; on the same images APGD-CE + APGD-T <= APGD-CE and <= PGD-10 <= clean."""
    b = load_bundle(tiny_bundle)
    sweep = b.doc("sweep.json", schema.SweepFile)
    assert [round(e * 255) for e in sweep.test_eps] == [0, 1, 2, 4, 8, 16]
    assert len(sweep.rows) == 6
    for row in sweep.rows:
        assert all(a.n == sweep.measurement.n_images for a in row.accuracies)
        assert all(a.correct <= row.accuracies[0].correct for a in row.accuracies[1:])
    evaluation = b.doc("evaluation.json", schema.EvaluationFile)
    assert [m.model_id for m in evaluation.models] == list(tiny().evaluation.models)
    for m in evaluation.models:
        acc = {r.name: r.accuracy for r in m.results}
        assert set(acc) == {"clean", "PGD-3", "PGD-5"}
        assert acc["PGD-5"].correct <= acc["PGD-3"].correct  # one run: a longer attack keeps fewer
        same = {r.name: r.accuracy for r in m.same_images}
        assert list(same) == ["clean", "PGD-3", "APGD-CE", "APGD-CE + APGD-T"]
        assert len({a.n for a in same.values()}) == 1
        assert same["APGD-CE + APGD-T"].correct <= same["APGD-CE"].correct <= same["clean"].correct
        assert same["PGD-3"].correct <= same["clean"].correct
        assert [p.steps for p in m.steps_curve] == [0, 1, 2, 3]
        assert len({p.accuracy.n for p in m.steps_curve}) == 1  # the images the model gets right clean
        assert m.steps_curve[0].accuracy.n <= acc["PGD-3"].n
        values = [p.accuracy.correct for p in m.steps_curve]
        assert values == sorted(values, reverse=True)


def test_exported_weights_reproduce_the_trajectories(tiny_bundle, tiny_run):
    """The live lab's path: load_model + attack_images on one gallery image gives the bundle's record."""
    b = load_bundle(tiny_bundle)
    traj = b.doc("trajectories.json", schema.TrajectoriesFile)
    run_doc = b.doc("run.json", schema.RunFile)
    with np.load(tiny_run["data"]) as z:
        x_test, y_test = z["x_test"], z["y_test"]
    image = traj.images[3]
    for ref in image.trajectories:
        model = load_model(tiny_bundle / f"weights/{ref.model_id}.safetensors")
        seed = trajectory_seed(run_doc.seed, image.test_index)
        (mine,) = attack_images(
            model,
            ref.model_id,
            x_test[[image.test_index]],
            [int(y_test[image.test_index])],
            [seed],
            traj.attack,
        )
        got = mine.trajectory
        assert got.first_misclassified == ref.first_misclassified
        for a, b in zip([got.clean, *got.steps], [ref.clean, *ref.steps], strict=True):
            assert a.pred == b.pred
            np.testing.assert_allclose(a.probs, b.probs, atol=1e-5)
            assert a.loss == pytest.approx(b.loss, abs=1e-4)
            assert a.linf == pytest.approx(b.linf, abs=1e-6) and a.l2 == pytest.approx(b.l2, abs=1e-5)


def test_exported_weights_are_fp16_safetensors_that_load(tiny_bundle):
    model = load_model(tiny_bundle / "weights/adv_eps8.safetensors")
    assert model.width == tiny().train.width and not model.training
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert all(torch.equal(p.detach().half().float(), p.detach()) for p in model.parameters())


def comparable(root):
    """Every file's bytes except those that legitimately differ between runs (timings, dates)."""
    b = load_bundle(root)
    out = {k: v for k, v in b.files.items() if k != "run.json"}
    training = json.loads(out.pop("training.json"))
    for h in training["models"]:
        for e in h["epochs"]:
            e.pop("seconds")
    evaluation = json.loads(out.pop("evaluation.json"))
    for m in evaluation["models"]:
        for r in m["results"] + m["same_images"]:
            r.pop("seconds")
    return out, training, evaluation


def test_a_killed_run_resumes_to_the_same_bundle(tiny_run, tmp_path, monkeypatch):
    """Killed mid-training, then killed mid-sweep: the third run finishes the same bundle, and
    resumes training from the last epoch checkpoint instead of starting the model again."""
    import precompute.stages as stages
    import precompute.train as train_module

    work, out = tmp_path / "work", tmp_path / "bundle"
    real_epoch, real_row = train_module._train_epoch, stages.sweep_row
    epochs_run: list[tuple[str, int]] = []

    def epoch(*args):
        epochs_run.append((args[10], args[8]))
        if epochs_run.count(("adv_eps2", 2)) == 1 and epochs_run[-1] == ("adv_eps2", 2):
            raise KeyboardInterrupt
        return real_epoch(*args)

    def row(model, mid, *args):
        if mid == "adv_eps2":
            raise KeyboardInterrupt
        return real_row(model, mid, *args)

    monkeypatch.setattr(train_module, "_train_epoch", epoch)
    monkeypatch.setattr(stages, "sweep_row", row)
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            run(tiny(), str(tiny_run["data"]), torch.device("cpu"), out, work)
        assert not (out / "manifest.json").exists()  # a killed run leaves no bundle
    monkeypatch.setattr(stages, "sweep_row", real_row)
    run(tiny(), str(tiny_run["data"]), torch.device("cpu"), out, work)

    assert tiny().train.epochs == 2
    assert epochs_run.count(("adv_eps2", 1)) == 1  # resumed from its epoch-1 checkpoint, not retrained
    capacity_epochs = len(tiny().capacity_models()) * tiny().capacity.epochs
    assert len(epochs_run) == 6 * 2 + capacity_epochs + 1  # every epoch once, plus the one killed
    mine, theirs = comparable(out), comparable(tiny_run["bundle"])
    for a, b, name in zip(mine, theirs, ("files", "training", "evaluation"), strict=True):
        if isinstance(a, dict) and name == "files":
            assert sorted(a) == sorted(b)
            assert [k for k in a if a[k] != b[k]] == []
        else:
            assert a == b, name


def test_work_dir_of_another_config_is_refused(tiny_run, tmp_path):
    from dataclasses import replace

    work = tmp_path / "work"
    shutil.copytree(tiny_run["work"], work)
    with pytest.raises(SystemExit, match="another config"):
        run(replace(tiny(), seed=7), str(tiny_run["data"]), torch.device("cpu"), tmp_path / "b", work)


def test_a_run_that_predates_a_new_stage_resumes_into_it(tiny_run, tmp_path, monkeypatch):
    """A work dir whose config lacks the transfer section (a run made before the stage existed)
    loads its finished stages and computes only the new one, to the same bundle."""
    from precompute import stages

    work = tmp_path / "work"
    shutil.copytree(tiny_run["work"], work)
    stored = json.loads((work / "config.json").read_text())
    del stored["config"]["transfer"]
    (work / "config.json").write_text(json.dumps(stored))
    shutil.rmtree(work / "stages" / "transfer")
    (work / "stages" / "transfer.json").unlink()
    trained: list[str] = []
    monkeypatch.setattr(stages, "train", lambda *a, **k: trained.append(k["model_id"]))
    run(tiny(), str(tiny_run["data"]), torch.device("cpu"), tmp_path / "b", work)
    assert trained == []  # every training stage was loaded
    made = (tmp_path / "b" / "transfer.json").read_bytes()
    assert made == (tiny_run["bundle"] / "transfer.json").read_bytes()


def test_transfer_diagonal_is_the_white_box_attack(tiny_bundle):
    """Attacks scored on the model they were run on are at most as accurate as clean images, and
    the matrix covers every model as source and target on the same images."""
    b = load_bundle(tiny_bundle)
    t = b.doc("transfer.json", schema.TransferFile)
    ev = b.doc("evaluation.json", schema.EvaluationFile)
    run_doc = b.doc("run.json", schema.RunFile)
    assert t.sources == t.targets == [m.id for m in run_doc.models]
    assert {a.n for row in t.accuracy for a in row} == {t.measurement.n_images}
    assert t.attack == t.measurement.attack and t.attack.name == "PGD" and t.attack.steps == 10
    final_pgd = next(r for r in ev.models[0].results if r.name.startswith("PGD-")).measurement.attack
    same = t.attack.model_copy(update={"steps": final_pgd.steps}) == final_pgd
    assert same, "the evaluation's PGD (eps, step size, seed), at 10 steps"


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    atomic_write_bytes(target, b"old")

    def disk_full(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new and longer")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_rewriting_a_bundle_removes_the_manifest_first(tiny_bundle, tmp_path, monkeypatch):
    out = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, out)
    files = {k: v for k, v in load_bundle(out).files.items()}

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("precompute.workspace.write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        write_bundle(out, files, "tiny")
    with pytest.raises(BundleError, match="no manifest"):
        load_bundle(out)
    monkeypatch.undo()
    (out / "images" / "stale.png").write_bytes(b"from an older bundle")
    write_bundle(out, files, "tiny")
    assert {e.path for e in load_bundle(out).manifest.files} == FILES


def test_a_foreign_file_in_the_output_dir_is_refused(tiny_bundle, tmp_path):
    out = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match=r"notes\.txt"):
        write_bundle(out, dict(load_bundle(tiny_bundle).files), "tiny")


def test_bundle_files_are_readable_by_other_users(tiny_bundle):
    """The container serves the bundle as an unprivileged user: mkstemp's 0600 must not survive."""
    modes = {p.stat().st_mode & 0o777 for p in tiny_bundle.rglob("*") if p.is_file()}
    assert modes == {0o644}
