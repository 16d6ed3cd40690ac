"""The bundle loader refuses a damaged bundle with a one-line reason (BundleError), never partial data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tour import schema
from tour.bundle import BundleError, load_bundle, write_manifest


@pytest.fixture
def bundle(tiny_bundle: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny bundle, free to damage."""
    return Path(shutil.copytree(tiny_bundle, tmp_path / "bundle"))


def refused(root: Path) -> str:
    with pytest.raises(BundleError) as info:
        load_bundle(root)
    message = str(info.value)
    assert message and "\n" not in message
    return message


def test_intact_bundle_loads(bundle: Path) -> None:
    loaded = load_bundle(bundle)
    assert set(schema.JSON_FILES) <= set(loaded.files)
    assert len(loaded.files) == len(loaded.manifest.files)


def test_missing_manifest(bundle: Path) -> None:
    (bundle / "manifest.json").unlink()
    assert "no manifest.json" in refused(bundle)


def test_unreadable_manifest(bundle: Path) -> None:
    (bundle / "manifest.json").write_text("{not json")
    assert "not readable JSON" in refused(bundle)


def test_missing_file(bundle: Path) -> None:
    (bundle / "sweep.json").unlink()
    assert refused(bundle) == "bundle file missing: sweep.json"


def test_missing_image(bundle: Path) -> None:
    sprite = json.loads((bundle / "gallery.json").read_bytes())["sprite"]
    (bundle / sprite).unlink()
    assert refused(bundle) == f"bundle file missing: {sprite}"


@pytest.mark.parametrize("name", ["training.json", "manifest-listed image"])
def test_one_altered_byte(bundle: Path, name: str) -> None:
    if name != "training.json":
        name = json.loads((bundle / "gallery.json").read_bytes())["sprite"]
    path = bundle / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert refused(bundle) == f"bundle file altered (sha256 mismatch): {name}"


def test_schema_invalid_json_with_a_matching_manifest(bundle: Path) -> None:
    """Checksums prove the bytes are the exported ones, the schema that they mean what we read."""
    doc = json.loads((bundle / "sweep.json").read_bytes())
    doc["rows"][0]["accuracies"][0] = 1.5  # a fraction above 1
    (bundle / "sweep.json").write_text(json.dumps(doc))
    write_manifest(bundle, json.loads((bundle / "manifest.json").read_bytes())["preset"])
    message = refused(bundle)
    assert message.startswith("sweep.json does not match the schema: rows.0.accuracies.0")


def test_wrong_format_version(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    manifest["format_version"] = schema.FORMAT_VERSION + 1
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert f"bundle format {schema.FORMAT_VERSION + 1}" in refused(bundle)


def test_manifest_path_outside_the_bundle(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    manifest["files"][0]["path"] = "../outside.json"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert "outside the bundle" in refused(bundle)


@pytest.mark.parametrize("damage", ["drop an image", "list an image twice"])
def test_testset_must_list_every_image_once(bundle: Path, damage: str) -> None:
    doc = json.loads((bundle / "testset.json").read_bytes())
    indices = doc["pages"][0]["test_indices"]
    if damage == "drop an image":
        indices.pop()
    else:
        indices[0] = doc["pages"][1]["test_indices"][0]
    (bundle / "testset.json").write_text(json.dumps(doc))
    write_manifest(bundle, json.loads((bundle / "manifest.json").read_bytes())["preset"])
    assert refused(bundle).startswith("testset.json must list every test image once")
