"""Schemathesis fuzzes the real server from its own OpenAPI document with every check it has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_no_failures(live_server: str, tmp_path: Path) -> None:
    """Positive and negative cases: declared statuses, content types and schemas, strict types."""
    proc = subprocess.run(
        [
            str(SCHEMATHESIS),
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
