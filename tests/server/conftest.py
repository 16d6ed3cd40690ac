"""The committed bundle's store and live lab, opened once for the in-process lab tests."""

from __future__ import annotations

import pytest

from server.config import Settings
from server.lab.engine import Lab
from server.store import open_store
from tour.bundle import load_bundle


@pytest.fixture(scope="session")
def store():
    return open_store(load_bundle(Settings().bundle_dir), figures={})  # the lab needs no charts


@pytest.fixture(scope="session")
def lab(store):
    lab = Lab.from_store(store)
    if not lab.available:
        pytest.skip(lab.reason)
    yield lab
    lab.close()
