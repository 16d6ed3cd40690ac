"""The front the deploy tests talk to: a fresh `python -m server.supervisor` on loopback ports, or, with
TOUR_FRONT_PORT set, the image already listening there (scripts/container.sh)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from server.supervisor import free_port
from tests.deploy.front_client import ENV, FRONT, Front, command_output
from tests.support import REPO


@pytest.fixture(scope="module")
def front(tmp_path_factory) -> Iterator[Front]:
    if os.environ.get("TOUR_FRONT_PORT"):
        yield Front(int(os.environ["TOUR_FRONT_PORT"]), lambda: command_output(os.environ["TOUR_FRONT_LOGS"]))
        return
    root = tmp_path_factory.mktemp("front")
    port, upstream = free_port(), free_port()
    log = root / "front.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                *FRONT,
                "--port",
                str(port),
                "--upstream-port",
                str(upstream),
                "--access-log",
                str(root / "access.log"),
            ],
            cwd=REPO,
            env={**os.environ, **ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    front = Front(port, log.read_text)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if front.get("/healthz").status == 200:
                    break
            except (OSError, IndexError, ValueError):
                pass
            assert time.monotonic() < deadline, "no /healthz through nginx within 90 s\n" + log.read_text()
            time.sleep(0.2)
        yield front
    finally:
        proc.terminate()
        try:
            assert proc.wait(timeout=20) == 0, log.read_text()  # SIGTERM stops both, cleanly
        finally:
            proc.kill()
