"""The precompute command line never replaces a bundle unless told to, the shipped one included."""

from __future__ import annotations

from pathlib import Path

import pytest

from precompute.__main__ import DEFAULT_DATA, main

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("out", [REPO / "data" / "bundle", None])
def test_an_existing_bundle_is_refused_without_force(out, tiny_bundle, capsys):
    out = out or tiny_bundle
    manifest = (out / "manifest.json").read_bytes()
    with pytest.raises(SystemExit) as e:
        main(["--preset", "tiny", "--data", "synthetic", "--out", str(out)])
    assert e.value.code == 2
    assert "already holds a bundle; pass --force" in capsys.readouterr().err
    assert (out / "manifest.json").read_bytes() == manifest  # untouched


def test_defaults_point_at_the_official_archive_and_away_from_the_shipped_bundle(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "--force" in text and "--threads" in text and "runs/<preset>/bundle" in text
    assert DEFAULT_DATA.name == "cifar-10-python.tar.gz"
