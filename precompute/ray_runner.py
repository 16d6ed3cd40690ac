"""The stage graph on Ray: each unfinished stage a task, started when the stages it needs are done.

A task computes one stage with `pipeline.run_one` in the shared work dir and returns nothing but its
name: the files travel through that directory, which every node must reach at the same path (a
shared filesystem). The stage cache stays the one record of what is done, so rerunning the command
resumes; a task that fails (its worker killed, or an error) is retried once, then the run stops with
the stage's error. A CPU run gives each task one core and one torch thread, so independent trainings
run side by side; a CUDA run gives each device stage one GPU.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import torch

from precompute.config import PipelineConfig
from precompute.pipeline import Executor, run_one
from precompute.stages import Inputs, Stage

RETRIES = 1  # a crashed or failed task runs once more, resuming from its stage's checkpoint


def _stage_task(
    cfg: PipelineConfig, data_spec: str, device: str, work: str, name: str, threads: int, *needs: str
) -> str:
    """One stage in a Ray worker; `needs` are the names its dependencies returned (Ray waits for them)."""
    torch.set_num_threads(threads)
    run_one(cfg, data_spec, torch.device(device), Path(work), name)
    return name


def ray_executor(address: str, threads: int | None) -> Executor:
    """An executor for `pipeline.run`: a local Ray of this machine's cores for "local", else the
    cluster at `address` (e.g. "ray://head:10001" or "auto")."""

    def execute(inp: Inputs, data_spec: str, stages: list[Stage]) -> None:
        import ray

        per_task = threads or 1
        if address == "local":
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, configure_logging=False)
        else:
            ray.init(address=address)
        try:
            _submit_and_wait(ray, inp, data_spec, stages, per_task)
        finally:
            ray.shutdown()

    return execute


def _submit_and_wait(ray, inp: Inputs, data_spec: str, stages: list[Stage], threads: int) -> None:
    task = ray.remote(_stage_task)
    gpu = inp.device.type == "cuda"
    work = str(inp.ws.root.resolve())
    refs: dict[str, Any] = {}
    for s in stages:
        if inp.ws.done(s.name):
            continue
        needs = [refs[n] for n in s.needs if n in refs]
        refs[s.name] = task.options(
            name=s.name,
            num_cpus=threads,
            num_gpus=1 if gpu and s.on_device else 0,
            max_retries=RETRIES,
            retry_exceptions=True,
        ).remote(inp.cfg, data_spec, inp.device.type, work, s.name, threads, *needs)
    names = {ref: name for name, ref in refs.items()}
    pending, start, total = list(refs.values()), time.perf_counter(), len(refs)
    print(f"ray: {total} stages to run, {len(stages) - total} already done", flush=True)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        ray.get(ready[0])  # raises the stage's error once its retry has failed too
        done = total - len(pending)
        print(
            f"ray: {names[ready[0]]} done ({done}/{total}, {time.perf_counter() - start:.0f} s)", flush=True
        )
