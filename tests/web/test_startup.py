"""`python -m server` for real: a bundle file that is not a regular file, or that the server may not
read, is refused at once with one line and status 2; a public --host is warned about."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from server.__main__ import PUBLIC_WARNING, is_public
from tests.support import DEFAULT_BUNDLE, REPO, free_port

WEIGHTS = "weights/regular.safetensors"
SETPRIV = shutil.which("setpriv")


Refusal = tuple[subprocess.CompletedProcess, float]


def serve(*args: str, bundle: Path, wrapper: tuple[str, ...] = ()) -> Refusal:
    """`python -m server` expected to refuse: its result and how long it took. A start-up that hangs
    fails on the timeout."""
    start = time.monotonic()
    command = [sys.executable, "-m", "server", "--port", str(free_port()), "--bundle", str(bundle)]
    proc = subprocess.run(
        [*wrapper, *command, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc, time.monotonic() - start


def refused(proc: subprocess.CompletedProcess, reason: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"error: cannot serve: {reason}"]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A private copy of the shipped bundle, free to damage."""
    return Path(shutil.copytree(DEFAULT_BUNDLE, tmp_path / "bundle"))


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_bundle_file_that_is_not_a_regular_file_is_refused_at_once(bundle: Path, kind: str) -> None:
    """A FIFO would block the read forever; the bundle is checked before the app is imported."""
    (bundle / WEIGHTS).unlink()
    if kind == "fifo":
        os.mkfifo(bundle / WEIGHTS)
    else:
        (bundle / WEIGHTS).mkdir()
    proc, seconds = serve(bundle=bundle)
    refused(proc, f"bundle file is not a regular file: {WEIGHTS}")
    assert seconds < 5  # about 0.5 s; importing the app alone takes several on a busy machine


def test_an_unreadable_bundle_file_says_permission_denied(bundle: Path) -> None:
    """Root reads a mode-000 file; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it may not."""
    (bundle / "training.json").chmod(0)
    wrapper: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("root reads any file, and setpriv (util-linux) is not here to drop that right")
        wrapper = (SETPRIV, "--bounding-set", "-dac_override,-dac_read_search")
    proc, seconds = serve(bundle=bundle, wrapper=wrapper)
    refused(proc, "bundle file unreadable (permission denied): training.json")
    assert seconds < 5


@pytest.mark.parametrize(
    ("host", "public"),
    [
        ("127.0.0.1", False),
        ("127.3.2.1", False),
        ("::1", False),
        ("localhost", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.0.2.7", True),
        ("tour.example", True),
    ],
)
def test_only_loopback_hosts_are_private(host: str, public: bool) -> None:
    assert is_public(host) is public


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1", "::1", "localhost"])
def test_the_warning_comes_first_and_for_public_hosts_only(tmp_path: Path, host: str) -> None:
    proc, _ = serve("--host", host, bundle=tmp_path)  # no bundle there: refused right after
    warning = [PUBLIC_WARNING.format(host=host)] if host == "0.0.0.0" else []
    assert proc.stderr.splitlines()[:-1] == warning and proc.returncode == 2


def test_a_server_on_every_address_warns_once_and_serves(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "--host", "0.0.0.0", "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    lines = log.read_text().splitlines()
    assert lines[0] == PUBLIC_WARNING.format(host="0.0.0.0")
    assert sum("python -m server.supervisor" in line for line in lines) == 1
