"""A reader's own image: decoded in memory (never written to disk), centre-cropped, resized to 32x32.

Only PNG and JPEG are accepted, recognised by their bytes rather than by what the client claims.
Pillow's decompression-bomb guard stays on, and below it the header's size is checked against what
a photo within the upload limit can honestly hold before any pixel is decoded. A phone photo is
turned upright by its EXIF orientation, and transparent pixels are shown on white, as the reader saw
them. A JPEG with more scans than any real photo has is refused before decoding (a few thousand
empty progressive scans would hold the lab's worker for half a minute).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from server.lab.limits import LIMITS

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
    most = LIMITS.upload_bytes_max
    if len(data) > most:
        raise UploadError(413, f"the image is {len(data)} bytes; the limit is {most} ({most // 1024} KB)")
    if not data:
        raise UploadError(422, "the image file is empty")
    kind = sniff(data)
    if kind is None:
        raise UploadError(415, "only PNG and JPEG images are accepted")
    # Every scan of a JPEG starts with an SOS marker; the entropy-coded data between them escapes 0xFF,
    # so counting the marker bytes counts the scans before one is decoded.
    if kind == "JPEG" and (scans := data.count(b"\xff\xda")) > LIMITS.jpeg_scans_max:
        raise UploadError(422, f"the JPEG has {scans} scans; the limit is {LIMITS.jpeg_scans_max}")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            width, height = im.size
            if width * height > LIMITS.pixels_max:
                raise UploadError(
                    413, f"the image is {width}x{height} pixels; the limit is {LIMITS.pixels_max:,}"
                )
            if width < 1 or height < 1:
                raise UploadError(422, "the image has no pixels")
            im.draft("RGB", (size * 4, size * 4))  # JPEG: decode at a reduced scale, cheaply
            rgb = _on_white(ImageOps.exif_transpose(im))
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise UploadError(413, "the image decompresses to too many pixels") from None
    except Exception:
        raise UploadError(422, "the image could not be decoded (corrupt or truncated PNG/JPEG)") from None
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    small = square.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)  # fast, same look
    return np.asarray(small, dtype=np.uint8)


def _on_white(im: Image.Image) -> Image.Image:
    """RGB, with any transparency composited onto white (convert("RGB") would show what lies under it).
    16-bit greyscale is scaled to 8 bits first: convert() would clip every value above 255 to white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        grey = np.asarray(im, dtype=np.uint32) // 257
        im = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8), "L")
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")
