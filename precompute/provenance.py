"""Where a bundle came from: code commit, library versions, device."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import torch

PACKAGES = ("torch", "numpy", "pillow", "safetensors", "pydantic", "tqdm", "torchattacks")
CODE_DIRS = ("tour", "precompute")  # "dirty" means uncommitted changes to the code that made the data


def git_state(repo: Path) -> tuple[str, bool]:
    """(commit, dirty); ("unknown", True) outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", *CODE_DIRS],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown", True
    return commit, bool(status.strip())


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU {platform.machine()} ({torch.get_num_threads()} threads)"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def provenance(repo: Path, device: torch.device) -> dict:
    """The fields run.json and each extension share: when, from which code, on what, with what."""
    from tour.isa import capability, host_isa

    commit, dirty = git_state(repo)
    return {
        "created": now(),
        "commit": commit,
        "dirty": dirty,
        "device": device_name(device),
        "cpu_capability": capability(),
        "host_isa": host_isa(),
        "versions": versions(),
    }
