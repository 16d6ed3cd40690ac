"""The sprite codecs: a sheet and its tiles, PNG, WebP and the data URL, each the other's exact inverse."""

from __future__ import annotations

import base64

import numpy as np
import pytest
import torch

from tour.sprites import decode, png, png_data_url, sheet, tiles_of, to_pixels, webp


@pytest.fixture
def tiles() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (7, 32, 32, 3), dtype=np.uint8)


def test_a_sheet_cut_back_into_tiles_is_the_tiles(tiles) -> None:
    image = sheet(tiles, columns=3)
    assert image.shape == (3 * 32, 3 * 32, 3)
    assert not image[64:, 32:].any()  # the last row's two empty slots are black
    assert np.array_equal(tiles_of(image, 32, 3, len(tiles)), tiles)


@pytest.mark.parametrize("encode", [png, webp])
def test_the_codecs_are_lossless(tiles, encode) -> None:
    image = sheet(tiles, columns=4)
    assert np.array_equal(decode(encode(image)), image)


def test_png_is_deterministic_and_the_data_url_holds_it(tiles) -> None:
    assert png(tiles[0]) == png(tiles[0].copy())
    url = png_data_url(tiles[0])
    assert url.startswith("data:image/png;base64,")
    assert np.array_equal(decode(base64.b64decode(url.split(",", 1)[1])), tiles[0])


def test_to_pixels_rounds_and_clamps() -> None:
    x = torch.tensor([[[-0.1, 0.5 / 255, 1.5 / 255], [0.5, 1.0, 1.2]]] * 3)  # (3, 2, 3): C, H, W
    got = to_pixels(x)
    assert got.shape == (2, 3, 3) and got.dtype == np.uint8
    assert got[..., 0].tolist() == [[0, 0, 2], [128, 255, 255]]
