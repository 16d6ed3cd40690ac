"""The work dir: each finished stage's files and timing, the run's identity, and the bundle writer.

stages/<name>/ holds a stage's files; stages/<name>.json, written last, marks it done, so a killed run
(or a killed Ray task) never leaves a stage that looks finished. This module and the CLI are the only
ones that touch the disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tour import schema
from tour.bundle import atomic_write_bytes, write_manifest

BUNDLE_SUFFIXES = (".json", ".png", ".webp", ".safetensors")


@dataclass(frozen=True)
class Workspace:
    root: Path

    def marker(self, name: str) -> Path:
        return self.root / "stages" / f"{name}.json"

    def done(self, name: str) -> bool:
        return self.marker(name).is_file()

    def timing(self, name: str) -> schema.StageTiming | None:
        if not self.done(name):
            return None
        return schema.StageTiming.model_validate(json.loads(self.marker(name).read_text())["timing"])

    def load(self, name: str) -> dict[str, bytes] | None:
        if not self.done(name):
            return None
        meta = json.loads(self.marker(name).read_text())
        return {rel: (self.root / "stages" / name / rel).read_bytes() for rel in meta["files"]}

    def save(self, name: str, files: dict[str, bytes], timing: schema.StageTiming) -> None:
        for rel, data in files.items():
            atomic_write_bytes(self.root / "stages" / name / rel, data)
        meta = {"files": sorted(files), "timing": timing.model_dump()}
        atomic_write_bytes(self.marker(name), json.dumps(meta).encode())

    def checkpoint(self, model_id: str) -> Path:
        """A training stage's epoch checkpoint, overwritten after every epoch."""
        return self.root / "train" / model_id / "checkpoint.safetensors"

    def claim(self, identity: dict) -> None:
        """Refuse a work dir of another run. A config that only adds sections (a stage added after the
        others, e.g. `transfer`) is the same run: its finished stages are loaded, the new ones computed."""
        path = self.root / "config.json"
        identity = as_json(identity)  # tuples -> lists, as they come back from disk
        if path.is_file():
            stored = json.loads(path.read_text())
            same = (
                stored.get("data") == identity["data"]
                and stored.get("extends") == identity.get("extends")
                and only_adds(stored.get("config", {}), identity["config"])
            )
            if not same:
                raise SystemExit(
                    f"{self.root} holds a run with another config or dataset; "
                    "remove it or pass another --work"
                )
        atomic_write_bytes(path, json.dumps(identity, sort_keys=True).encode())


def as_json(value: dict) -> dict:
    return json.loads(json.dumps(value))


def only_adds(stored: object, current: object) -> bool:
    """Whether `current` is `stored` with only new keys (a stage or knob added since), at any depth."""
    if isinstance(stored, dict) and isinstance(current, dict):
        return all(k in current and only_adds(v, current[k]) for k, v in stored.items())
    return stored == current


def write_bundle(out: Path, files: dict[str, bytes], preset: schema.Preset) -> None:
    """Unlink the old manifest, replace the files, drop stale bundle files, write the manifest last."""
    (out / "manifest.json").unlink(missing_ok=True)
    if out.is_dir():
        for path in [p for p in out.rglob("*") if p.is_file()]:
            rel = path.relative_to(out).as_posix()
            if rel in files or path.name.startswith("."):
                continue
            if path.suffix not in BUNDLE_SUFFIXES:
                raise SystemExit(f"{out} holds {rel}, which is not bundle output; choose an empty --out")
            path.unlink()
    for rel, data in files.items():
        atomic_write_bytes(out / rel, data)
    write_manifest(out, preset)
