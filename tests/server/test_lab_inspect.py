"""The lab's inspect mode retraces the bundle: a gallery image's gradient pictures are the tiles of the
saliency sheets, and an example's loss landscape is input_landscape.json's, for both models."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from server.lab.params import InspectParams, SourceInfo
from tour import schema
from tour.sprites import decode, tiles_of

TILE, COLUMNS = 32, 10  # the saliency sheets: gallery order, 10 tiles a row


def picture(data_url: str) -> np.ndarray:
    return decode(base64.b64decode(data_url.split(",", 1)[1]))


@pytest.fixture(scope="module")
def bundle_docs(store):
    b = store.bundle
    return (
        b.doc("saliency.json", schema.SaliencyFile),
        b.doc("input_landscape.json", schema.InputLandscapeFile),
        store.gallery,
    )


@pytest.fixture(scope="module")
def sheets(store, bundle_docs):
    saliency, _, gallery = bundle_docs
    return {
        (mid, kind): tiles_of(
            decode(store.bundle.files[getattr(paths, kind)]), TILE, COLUMNS, len(gallery.images)
        )
        for mid, paths in saliency.sprites.items()
        for kind in ("gradient", "smoothgrad")
    }


def inspect(lab, test_index: int, label: int):
    source = SourceInfo(kind="test", test_index=test_index, label=label)
    return lab.inspect(lab.images.pixels(test_index), InspectParams(), source)


def test_the_settings_are_the_bundles(lab, bundle_docs):
    saliency, landscape, gallery = bundle_docs
    first = gallery.images[0]
    out = inspect(lab, first.test_index, first.label)
    assert out.smoothgrad == saliency.smoothgrad and out.picture == saliency.picture
    assert out.grid == landscape.grid and out.coords == landscape.coords
    assert [m.model_id for m in out.models] == saliency.model_ids == landscape.model_ids


def test_every_example_gets_the_bundles_pictures_and_landscape(lab, bundle_docs, sheets):
    """The examples carry both: their pictures are saliency tiles and their surfaces the landscape file's."""
    _, landscape, gallery = bundle_docs
    for example in landscape.images:
        image = gallery.images[example.position]
        assert (image.test_index, image.label) == (example.test_index, example.label)
        out = inspect(lab, example.test_index, example.label)
        for m in out.models:
            assert m.reference == example.label
            assert m.loss == example.loss[m.model_id]  # to the 6 decimals the bundle keeps
            assert m.pred == example.pred[m.model_id]
            for kind in ("gradient", "smoothgrad"):
                got = picture(getattr(m, kind))
                np.testing.assert_array_equal(got, sheets[m.model_id, kind][example.position], err_msg=kind)


def test_the_rest_of_the_gallery_gets_the_bundles_pictures(lab, bundle_docs, sheets):
    """Every tenth gallery image beyond the examples (the rest cost the same and show nothing new)."""
    _, landscape, gallery = bundle_docs
    for image in gallery.images[len(landscape.images) :: 10]:
        out = inspect(lab, image.test_index, image.label)
        for m in out.models:
            for kind in ("gradient", "smoothgrad"):
                got = picture(getattr(m, kind))
                np.testing.assert_array_equal(got, sheets[m.model_id, kind][image.position], err_msg=kind)
