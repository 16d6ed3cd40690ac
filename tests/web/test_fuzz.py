"""Schemathesis fuzzes the real server from its own OpenAPI document with every check it has: once as
shipped, where the lab's rate limit soon answers most attacks with 429, and once with the lab's limits
lifted, so every generated attack that validates really runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import running_server

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


# no rate limit, a queue deeper than schemathesis' concurrency, and a deadline no attack reaches
LIFTED = {"TOUR_LAB_PER_MINUTE": "1000000", "TOUR_LAB_BURST": "1000000", "TOUR_LAB_QUEUE": "64"}


def test_schemathesis_finds_no_failures(live_server: str, tmp_path: Path) -> None:
    """Positive and negative cases: declared statuses, content types and schemas, strict types."""
    fuzz(live_server, tmp_path)


def test_schemathesis_finds_no_failures_with_the_lab_limits_lifted(tmp_path: Path) -> None:
    with running_server(env=LIFTED) as base:
        fuzz(base, tmp_path)


# Whether an upload's bytes decode as a PNG or JPEG of a sane size is beyond JSON Schema: for those
# operations, a schema-valid request may also be refused with 413, 415 or 422 (each declared there).
CONFIG = "".join(
    f"""
[[operations]]
include-path = "{path}"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", 401, 403, 404, 409, 413, 415, 422, 429, "5xx"
]
"""
    for path in ("/api/lab/attack/upload", "/api/lab/inspect/upload")
)


def fuzz(live_server: str, tmp_path: Path) -> None:
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    proc = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(tmp_path / "schemathesis.toml"),
            "run",
            f"{live_server}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "60",
            "--seed",
            "20240601",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        cwd=tmp_path,  # it may write reports; keep them out of the tree
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout.split("SUMMARY")[-1]
