"""The bundle's whole CIFAR-10 test set (testset.json), which the lab attacks and the page browses."""

from __future__ import annotations

import functools

import numpy as np

from tour import schema
from tour.bundle import Bundle
from tour.sprites import decode, tiles_of


class CifarTestSet:
    """A page of tiles is decoded on first use (2.6 ms each), so start-up stays instant and memory
    holds only the pages readers browse."""

    def __init__(self, doc: schema.TestSetFile, files: dict[str, bytes]) -> None:
        self.doc = doc
        self._files = files
        self._where = {
            index: (p, slot)
            for p, page in enumerate(doc.pages)
            for slot, index in enumerate(page.test_indices)
        }
        self._page = functools.lru_cache(maxsize=32)(self._decode)

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> CifarTestSet:
        return cls(bundle.doc("testset.json", schema.TestSetFile), bundle.files)

    def __len__(self) -> int:
        return self.doc.n_images

    def label(self, index: int) -> int | None:
        """The image's class, or None when the bundle has no test image `index`."""
        where = self._where.get(index)
        return None if where is None else self.doc.pages[where[0]].label

    def pixels(self, index: int) -> np.ndarray:
        """(32, 32, 3) uint8, exactly the official test image (the pages are lossless)."""
        p, slot = self._where[index]
        return self._page(p)[slot]

    def _decode(self, p: int) -> np.ndarray:
        page = self.doc.pages[p]
        image = decode(self._files[page.path])
        return tiles_of(image, self.doc.tile, self.doc.columns, len(page.test_indices))
