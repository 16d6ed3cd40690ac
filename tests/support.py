"""Helpers shared by tests and bench scripts: the real server on a free loopback port, Chromium's path
and flags, synthetic CIFAR-shaped data. Fixtures live in the conftest files; helpers live here."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from precompute.data import synthetic_cifar

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = REPO / "data" / "bundle"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `python -m server` on a free loopback port; yield its base URL once /healthz answers.

    The server logs to a file: a pipe nobody reads fills up and blocks the server's event loop.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "--port", str(port), *args],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server exited with {proc.returncode}: {log.read()}")
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not answer /healthz within 60 s") from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_synthetic_npz(path: Path, n_train: int = 350, n_test: int = 100) -> Path:
    """A CIFAR-shaped .npz of learnable synthetic images (10 test images per class at n_test=100)."""
    c = synthetic_cifar(n_train, n_test)
    np.savez(path, x_train=c.x_train, y_train=c.y_train, x_test=c.x_test, y_test=c.y_test)
    return path
