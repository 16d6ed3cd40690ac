"""The lab's inspect mode, end to end: what a reader waits for after pressing "Inspect the image".

Over HTTP against a real uvicorn server on the bundle: POST /api/lab/inspect on a few test images (the
first examples and images far from the gallery), both default models, the bundle's SmoothGrad and
landscape settings; and the same through /api/lab/inspect/upload. Records client-side wall time
(request to last byte) and the server's own `seconds` (the computation alone).

    .venv/bin/python -m bench.lab_inspect [--bundle DIR] [--n 20]

Prints a Markdown section for BENCHMARKS.md ("Lab inspect"); numbers only, no pass/fail.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
import urllib.request
import uuid
from datetime import UTC, datetime

import numpy as np
import torch
from PIL import Image

from tests.support import running_server
from tour.isa import capability, host_isa

UNLIMITED = {"TOUR_LAB_PER_MINUTE": "1000000", "TOUR_LAB_BURST": "1000000"}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def timed(req: urllib.request.Request) -> tuple[float, float]:
    """(wall seconds, the server's own seconds) of one request."""
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        body = json.loads(r.read())
    return time.perf_counter() - t, body["seconds"]


def inspect_request(base: str, index: int) -> urllib.request.Request:
    data = json.dumps({"source": {"test_index": index}}).encode()
    return urllib.request.Request(base + "/api/lab/inspect", data, {"Content-Type": "application/json"})


def upload_request(base: str) -> urllib.request.Request:
    buf = io.BytesIO()
    Image.effect_mandelbrot((256, 192), (-2.0, -1.2, 1.0, 1.2), 64).convert("RGB").save(buf, "PNG")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + buf.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    ctype = f"multipart/form-data; boundary={boundary}"
    return urllib.request.Request(base + "/api/lab/inspect/upload", body, {"Content-Type": ctype})


def measure(bundle: str | None, n: int) -> tuple[dict[str, list[tuple[float, float]]], list[int]]:
    args = ("--bundle", bundle) if bundle else ()
    with running_server(*args, env=UNLIMITED) as base:
        with urllib.request.urlopen(base + "/api/gallery") as r:
            gallery = [im["test_index"] for im in json.loads(r.read())["images"]]
        with urllib.request.urlopen(base + "/api/testset") as r:
            last = json.loads(r.read())["n_images"] - 1
        images = [*gallery[:3], last, last // 2]  # three examples, two images no figure shows
        for index in images[:2]:
            timed(inspect_request(base, index))  # warm-up
        out = {
            "http_inspect": [timed(inspect_request(base, images[i % len(images)])) for i in range(n)],
            "http_inspect_upload": [timed(upload_request(base)) for _ in range(max(5, n // 4))],
        }
    return out, images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", help="bundle directory (default: the server's, data/bundle)")
    parser.add_argument("--n", type=int, default=20, help="inspect requests over the test images")
    args = parser.parse_args()
    results, images = measure(args.bundle, args.n)
    load = os.getloadavg()[0]
    print(
        f"### Lab inspect — {datetime.now(UTC):%Y-%m-%d}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, host ISA {host_isa()}, torch kernels {capability()}, "
        f"torch {torch.__version__}, load average {load:.1f} at the end\n"
    )
    print(f"Test images {', '.join(map(str, images))}, in turn.\n")
    print("| measurement | n | p50 ms | p90 ms | max ms | server p50 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, pairs in results.items():
        wall, server = [w for w, _ in pairs], [s for _, s in pairs]
        print(
            f"| {name} | {len(pairs)} | {pct(wall, 50):.0f} | {pct(wall, 90):.0f} | "
            f"{max(wall) * 1000:.0f} | {pct(server, 50):.0f} |"
        )


if __name__ == "__main__":
    main()
