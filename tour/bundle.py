"""Reading and writing a bundle on disk: atomic writes, the sha256 manifest, verified loading.

Writers put every file in place atomically (temp file, fsync, rename) and the manifest last, so a
bundle either has a manifest that matches every file or is not a bundle. The reader (the server's
start-up) checks every checksum and validates every JSON file against `schema`, and raises
BundleError with a one-line reason instead of serving partial data.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from tour import schema

T = TypeVar("T", bound=BaseModel)


class BundleError(Exception):
    """The bundle is missing, incomplete, altered or of another format; the message is one line."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the bundle from a server running as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(model: BaseModel) -> bytes:
    """Compact, key-ordered JSON: the bytes the server sends as they are."""
    return json.dumps(model.model_dump(mode="json"), separators=(",", ":"), allow_nan=False).encode()


def write_json(path: Path, model: BaseModel) -> None:
    atomic_write_bytes(path, dump_json(model))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_manifest(root: Path, preset: schema.Preset) -> schema.Manifest:
    """Checksum every file under `root` (except the manifest) and write manifest.json last."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "manifest.json"):
        if path.name.startswith("."):
            continue
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        entries.append(schema.ManifestEntry(path=rel, sha256=sha256_bytes(data), bytes=len(data)))
    manifest = schema.Manifest(
        format_version=schema.FORMAT_VERSION,
        preset=preset,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        files=entries,
    )
    write_json(root / "manifest.json", manifest)
    return manifest


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: the raw bytes of every file and the parsed JSON documents."""

    root: Path
    manifest: schema.Manifest
    files: dict[str, bytes]
    docs: dict[str, BaseModel]

    def doc(self, name: str, kind: type[T]) -> T:
        doc = self.docs[name]
        assert isinstance(doc, kind)
        return doc


def load_bundle(root: Path) -> Bundle:
    root = Path(root)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise BundleError(f"no manifest.json in {root}: not a bundle, or an unfinished export")
    try:
        raw_manifest = json.loads(manifest_path.read_bytes())
    except (OSError, ValueError) as e:
        raise BundleError(f"{manifest_path} is not readable JSON ({e})") from None
    if not isinstance(raw_manifest, dict) or raw_manifest.get("format_version") != schema.FORMAT_VERSION:
        found = raw_manifest.get("format_version") if isinstance(raw_manifest, dict) else None
        raise BundleError(f"bundle format {found!r} in {root}; this reader knows {schema.FORMAT_VERSION}")
    try:
        manifest = schema.Manifest.model_validate(raw_manifest)
    except ValidationError as e:
        raise BundleError(f"{manifest_path} does not match the schema: {_first_error(e)}") from None
    files = _verified_files(root, manifest.files)
    docs: dict[str, BaseModel] = {}
    for name, model in schema.JSON_FILES.items():
        if name not in files:
            raise BundleError(f"bundle lacks {name}")
        try:
            docs[name] = model.model_validate_json(files[name])
        except ValidationError as e:
            raise BundleError(f"{name} does not match the schema: {_first_error(e)}") from None
    _check_references(docs, files)
    return Bundle(root=root, manifest=manifest, files=files, docs=docs)


def _verified_files(root: Path, entries: list[schema.ManifestEntry]) -> dict[str, bytes]:
    """Every file the manifest lists, each checked against its size and sha256."""
    files: dict[str, bytes] = {}
    for entry in entries:
        path = (root / entry.path).resolve()
        if root.resolve() not in path.parents:
            raise BundleError(f"manifest names a path outside the bundle: {entry.path}")
        data = _read_regular(path, entry.path)
        if len(data) != entry.bytes or sha256_bytes(data) != entry.sha256:
            raise BundleError(f"bundle file altered (sha256 mismatch): {entry.path}")
        files[entry.path] = data
    return files


def _read_regular(path: Path, name: str) -> bytes:
    """The bytes of bundle file `name`. It is opened without blocking and checked before a byte is
    read, so a FIFO or device in its place is refused at once instead of holding start-up forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise BundleError(_unreadable(e, name)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BundleError(f"bundle file is not a regular file: {name}")
        with open(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError as e:
        raise BundleError(_unreadable(e, name)) from None
    finally:
        os.close(fd)


def _unreadable(e: OSError, name: str) -> str:
    """One line that says why: a missing file and one we may not read call for different fixes."""
    if isinstance(e, FileNotFoundError):
        return f"bundle file missing: {name}"
    reason = "permission denied" if isinstance(e, PermissionError) else (e.strerror or "error").lower()
    return f"bundle file unreadable ({reason}): {name}"


def read_files(root: Path) -> tuple[str, dict[str, bytes]]:
    """(preset, verified files) of a bundle of any format version: what `python -m precompute --extend`
    reads to add stages to a bundle an older reader wrote; the documents are the caller's to check."""
    try:
        raw = json.loads((Path(root) / "manifest.json").read_bytes())
        entries = [schema.ManifestEntry.model_validate(e) for e in raw["files"]]
        preset = raw["preset"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BundleError(f"{root} holds no readable manifest.json ({e})") from None
    return preset, _verified_files(Path(root), entries)


def _check_references(docs: dict[str, BaseModel], files: dict[str, bytes]) -> None:
    """Every file a document points to must be in the manifest, and testset.json must cover the test set."""
    gallery = docs["gallery.json"]
    traj = docs["trajectories.json"]
    run = docs["run.json"]
    test = docs["testset.json"]
    assert isinstance(test, schema.TestSetFile)
    assert isinstance(gallery, schema.GalleryFile)
    assert isinstance(traj, schema.TrajectoriesFile)
    assert isinstance(run, schema.RunFile)
    strips = (s for im in traj.images for s in im.sprites.values())
    named = [gallery.sprite, *(p for s in strips for p in (s.adversarial, s.perturbation))]
    named += [w.path for w in run.weights]
    named += [p.path for p in test.pages]
    paint, saliency = docs["paint.json"], docs["saliency.json"]
    assert isinstance(paint, schema.PaintFile) and isinstance(saliency, schema.SaliencyFile)
    named += [p for sheets in paint.sprites.values() for p in sheets]
    named += [p for s in saliency.sprites.values() for p in (s.gradient, s.smoothgrad)]
    for path in named:
        if path not in files:
            raise BundleError(f"a document names {path}, which the manifest does not list")
    indices = sorted(i for p in test.pages for i in p.test_indices)
    if indices != list(range(test.n_images)) or any(len(p.test_indices) > test.page_size for p in test.pages):
        raise BundleError("testset.json must list every test image once, in pages of at most page_size")


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(root)"
    return f"{where}: {err['msg']}"
