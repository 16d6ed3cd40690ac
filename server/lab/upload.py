"""A reader's own image: decoded in memory (never written to disk), centre-cropped, resized to 32x32.

Only PNG and JPEG are accepted, recognised by their bytes rather than by what the client claims.
Pillow's decompression-bomb guard is tightened to what a 256 KB photo can honestly hold, and the
header is checked before any pixel is decoded.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

MAX_UPLOAD_BYTES = 256 * 1024
MAX_PIXELS = 4096 * 4096  # a 256 KB PNG of one flat colour can claim more; nothing real needs it
FORMATS = ("PNG", "JPEG")


class UploadError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def decode_upload(data: bytes, size: int = 32) -> np.ndarray:
    """bytes -> (size, size, 3) uint8; raises UploadError with the HTTP status to answer."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(413, f"the image is {len(data)} bytes; the limit is {MAX_UPLOAD_BYTES} (256 KB)")
    if not data:
        raise UploadError(422, "the image file is empty")
    if sniff(data) is None:
        raise UploadError(415, "only PNG and JPEG images are accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as im:
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise UploadError(
                        413, f"the image is {width}x{height} pixels; the limit is {MAX_PIXELS:,}"
                    )
                if width < 1 or height < 1:
                    raise UploadError(422, "the image has no pixels")
                im.draft("RGB", (size * 4, size * 4))  # JPEG: decode at a reduced scale, cheaply
                rgb = im.convert("RGB")
                rgb.load()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(413, "the image decompresses to too many pixels") from None
    except Exception:
        raise UploadError(422, "the image could not be decoded (corrupt or truncated PNG/JPEG)") from None
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)
