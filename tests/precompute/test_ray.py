"""The stage graph on a real local Ray cluster (2 CPUs): the same bundle as the sequential run, a
killed worker retried and resumed, a rerun that computes only what is missing; and the per-stage CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from precompute.__main__ import main
from precompute.config import tiny
from precompute.pipeline import run
from precompute.stages import graph
from precompute.workspace import Workspace
from tests.precompute.test_pipeline import comparable

pytest.importorskip("ray")
pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
KILLED = "train_adv_eps16"  # the last training stage: killed after its first epoch checkpoint


def _task_pids(name: str) -> list[int]:
    """Ray names a worker's process after the task it runs ("ray::<task name>")."""
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if f"ray::{name}" in line]


def test_a_ray_run_with_a_killed_worker_gives_the_sequential_bundle(tiny_run, tmp_path):
    """Every stage a Ray task on two one-thread workers; one training task's worker is killed with
    SIGKILL mid-stage, Ray retries it, the stage resumes from its epoch checkpoint, and the bundle
    equals the sequential run's (which ran on one thread too)."""
    work, out = tmp_path / "work", tmp_path / "bundle"
    cmd = [sys.executable, "-m", "precompute", "--preset", "tiny", "--data", str(tiny_run["data"])]
    cmd += ["--work", str(work), "--out", str(out), "--threads", "1", "--ray"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ckpt, killed = Workspace(work).checkpoint(KILLED.removeprefix("train_")), False
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline and not killed:
        if ckpt.is_file() and not Workspace(work).done(KILLED):
            for pid in _task_pids(KILLED):
                os.kill(pid, signal.SIGKILL)
                killed = True
        time.sleep(0.05)
    log, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, log
    assert killed, "the training task finished before it could be killed"
    assert comparable(out) == comparable(tiny_run["bundle"])


def test_a_ray_rerun_computes_only_the_unfinished_stages(tiny_run, tmp_path, capsys):
    from precompute.ray_runner import ray_executor

    work = tmp_path / "work"
    shutil.copytree(tiny_run["work"], work)
    for name in ("transfer", "capacity"):
        shutil.rmtree(work / "stages" / name)
        (work / "stages" / f"{name}.json").unlink()
    run(tiny(), str(tiny_run["data"]), torch.device("cpu"), tmp_path / "b", work, ray_executor("local", 1))
    assert f"ray: 2 stages to run, {len(graph(tiny())) - 2} already done" in capsys.readouterr().out
    assert comparable(tmp_path / "b") == comparable(tiny_run["bundle"])


def test_a_stage_whose_inputs_are_missing_is_refused(tiny_run, tmp_path, capsys):
    args = ["--preset", "tiny", "--data", str(tiny_run["data"]), "--work", str(tmp_path / "w")]
    assert main([*args, "--stage", "sweep"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: stage sweep needs train_regular, train_adv_eps1") and "\n" not in err
    assert main([*args, "--stage", "no_such_stage"]) == 2
    assert "--plan lists them" in capsys.readouterr().err
    assert not Workspace(tmp_path / "w").done("sweep")


def test_one_stage_runs_alone_from_the_shared_work_dir(tiny_run, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(tiny_run["work"], work)
    shutil.rmtree(work / "stages" / "sweep")
    (work / "stages" / "sweep.json").unlink()
    assert (
        main(["--preset", "tiny", "--data", str(tiny_run["data"]), "--work", str(work), "--stage", "sweep"])
        == 0
    )
    assert Workspace(work).load("sweep") == Workspace(tiny_run["work"]).load("sweep")


def test_plan_prints_every_stage_with_its_needs(tiny_run, tmp_path, capsys):
    assert main(["--preset", "tiny", "--work", str(tiny_run["work"]), "--plan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["stage", "needs", "resources", "minutes", "state"]
    assert [line.split()[0] for line in lines[1:]] == [s.name for s in graph(tiny())]
    assert all(line.rstrip().endswith("done") for line in lines[1:])
