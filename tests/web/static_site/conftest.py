"""`live_server`, overridden here: the article exported by `python -m server export` and served by
`python -m http.server`, a static host that knows nothing of the app."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO, free_port


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("python -m http.server did not come up") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def static_site(tmp_path_factory) -> Path:
    """The committed bundle's article, exported once per session."""
    out = tmp_path_factory.mktemp("static") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "server", "export", str(out)], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def live_server(static_site: Path) -> Iterator[str]:
    with serve_folder(static_site) as base:
        yield base
