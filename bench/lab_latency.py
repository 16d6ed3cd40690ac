"""Live-lab latency: what a reader waits for, and what the rest of the site pays while attacks run.

1. End to end over HTTP (a real uvicorn server on the bundle): PGD-10 L-inf 8/255 on one gallery
   image against both shipped models, and the 60-step L2 class push.
2. In process at full width (random-init weights of the real width-64 ResNet-18, the architecture a
   `full` bundle ships): the same two attacks through the lab's engine, plus the alternative the
   engine rejects (the two models one after the other, each on both cores).
3. The article's JSON endpoints while attacks run back to back (p50/p99).

    .venv/bin/python -m bench.lab_latency [--bundle DIR] [--n 20]

Prints a Markdown section for BENCHMARKS.md ("Live lab"); numbers only, no pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
import urllib.request
from datetime import UTC, datetime

import numpy as np
import torch

from server.lab.engine import Lab, LabModel, _prepare
from server.lab.params import AttackParams, SourceInfo
from tests.support import running_server
from tour import schema
from tour.model import ResNet18
from tour.trajectories import attack_images

PGD10 = {"norm": "Linf", "eps": 8 / 255, "alpha": 2 / 255, "steps": 10}
PUSH = {"mode": "push", "norm": "L2", "eps": 4.0, "alpha": 0.1, "steps": 60, "target": 3}
ARTICLE = ["/api/gallery", "/api/sweep", "/api/training", "/api/trajectories/0", "/api/evaluation"]
UNLIMITED = {"TOUR_LAB_PER_MINUTE": "1000000", "TOUR_LAB_BURST": "1000000"}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def post(base: str, body: dict) -> float:
    data = json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/lab/attack", data, {"Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        r.read()
    return time.perf_counter() - t


def get(base: str, path: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=30) as r:
        r.read()
    return time.perf_counter() - t


def over_http(bundle: str | None, n: int) -> dict[str, list[float]]:
    args = ("--bundle", bundle) if bundle else ()
    out: dict[str, list[float]] = {}
    with running_server(*args, env=UNLIMITED) as base:
        with urllib.request.urlopen(base + "/api/gallery") as r:
            index = json.loads(r.read())["images"][0]["test_index"]
        src = {"source": {"test_index": index}}
        for _ in range(3):
            post(base, {**src, **PGD10})  # warm-up
        out["http_pgd10"] = [post(base, {**src, **PGD10}) for _ in range(n)]
        out["http_push60"] = [post(base, {**src, **PUSH}) for _ in range(max(3, n // 4))]
        out["article_idle"] = [get(base, ARTICLE[i % len(ARTICLE)]) for i in range(200)]
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                post(base, {**src, **PGD10})

        attacker = threading.Thread(target=hammer)
        attacker.start()
        time.sleep(0.5)
        out["article_busy"] = [get(base, ARTICLE[i % len(ARTICLE)]) for i in range(400)]
        stop.set()
        attacker.join()
    return out


def full_width_lab(n: int) -> dict[str, list[float]]:
    torch.manual_seed(0)
    models = [
        LabModel(schema.ModelInfo.model_construct(id=mid, label=mid), _prepare(ResNet18(64)))
        for mid in ("regular", "adv_eps8")
    ]
    lab = Lab(models, images=None, run_seed=0)  # type: ignore[arg-type]  # in-process: no test set needed
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    source = SourceInfo(kind="test", test_index=0, label=3)
    out: dict[str, list[float]] = {}
    for name, params, reps in (("full_pgd10", PGD10, n), ("full_push60", PUSH, max(3, n // 4))):
        p = AttackParams(**params)
        lab.attack(image, p, source)  # warm-up
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            lab.attack(image, p, source)
            times.append(time.perf_counter() - t)
        out[name] = times
    lab.close()
    # the rejected alternative: one model after the other, each with every core
    spec = schema.AttackSpec(name="PGD", random_start=True, **PGD10)
    torch.set_num_threads(os.cpu_count() or 1)
    times = []
    for _ in range(max(3, n // 2)):
        t = time.perf_counter()
        for m in models:
            attack_images(m.module, m.info.id, image[None], [3], [0], spec)
        times.append(time.perf_counter() - t)
    out["full_pgd10_sequential"] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", help="bundle directory (default: the server's, data/bundle)")
    parser.add_argument("--n", type=int, default=20, help="repetitions of the PGD-10 measurements")
    args = parser.parse_args()
    results = {**over_http(args.bundle, args.n), **full_width_lab(args.n)}
    load = os.getloadavg()[0]
    print(
        f"### Live lab — {datetime.now(UTC):%Y-%m-%d}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__}, load average {load:.1f} at the end\n"
    )
    print("| measurement | n | p50 ms | p95 ms | p99 ms |\n| --- | --- | --- | --- | --- |")
    for name, v in results.items():
        print(f"| {name} | {len(v)} | {pct(v, 50):.0f} | {pct(v, 95):.0f} | {pct(v, 99):.1f} |")
    print(f"\nmean PGD-10 over HTTP: {statistics.mean(results['http_pgd10']) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
