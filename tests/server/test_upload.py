"""The reader's own image: decoded in memory, upright, transparency on white, centre-cropped to 32x32."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from server.lab.limits import LIMITS
from server.lab.upload import UploadError, decode_upload


def encoded(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_centre_crop_then_resize():
    im = Image.new("RGB", (96, 64), (0, 0, 255))
    im.paste((255, 0, 0), (16, 0, 80, 64))  # the centred square is red, the sides blue
    out = decode_upload(encoded(im, "PNG"))
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8
    assert (out == [255, 0, 0]).all()


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation():
    im = Image.new("RGB", (64, 64), (255, 255, 255))
    im.paste((0, 0, 0), (0, 0, 64, 16))  # stored with a black band at the top ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... and "rotate 90 degrees clockwise to display"
    out = decode_upload(encoded(im, "JPEG", exif=exif.tobytes(), quality=95))
    assert out[:, -4:].mean() < 40 and out[:, :4].mean() > 215  # shown with the band on the right


def test_transparent_pixels_are_shown_on_white():
    im = Image.new("RGBA", (32, 32), (0, 0, 0, 0))  # fully transparent black
    im.paste((0, 128, 0, 255), (0, 0, 16, 32))
    out = decode_upload(encoded(im, "PNG"))
    assert (out[:, 20:] == 255).all() and (out[:, :12] == [0, 128, 0]).all()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", 422),
        (b"GIF89a", 415),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, 422),
        (encoded(Image.new("1", (4100, 4100)), "PNG"), 413),  # a few KB claiming 16.8 M pixels
    ],
)
def test_refusals(data, status):
    with pytest.raises(UploadError) as info:
        decode_upload(data)
    assert info.value.status == status
    assert LIMITS.pixels_max < 4100 * 4100


def test_16_bit_greyscale_keeps_its_grey():
    grey = np.full((32, 32), 128 * 257, dtype=np.uint16)  # mid-grey in 16 bits
    out = decode_upload(encoded(Image.fromarray(grey), "PNG"))
    assert np.abs(out.astype(int) - 128).max() <= 1


@pytest.mark.parametrize("mode", ["P", "CMYK", "L", "LA"])
def test_palette_cmyk_and_grey_decode_to_the_right_colour(mode):
    im = Image.new("RGB", (40, 40), (200, 40, 40))
    if mode == "P":
        data = encoded(im.convert("P", palette=Image.Palette.ADAPTIVE), "PNG")
    elif mode == "CMYK":
        data = encoded(im.convert("CMYK"), "JPEG", quality=95)
    else:
        data = encoded(im.convert(mode), "PNG")
    out = decode_upload(data).astype(int)
    expected = (
        np.array([200, 40, 40]) if mode in ("P", "CMYK") else np.array(im.convert("L").getpixel((0, 0)))
    )
    assert np.abs(out - expected).max() <= 12


def test_an_animated_png_gives_its_first_frame():
    frames = [Image.new("RGB", (32, 32), c) for c in ((0, 0, 255), (255, 0, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert (decode_upload(buf.getvalue()) == [0, 0, 255]).all()


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding():
    base = encoded(Image.new("RGB", (16, 16), (9, 9, 9)), "JPEG", progressive=True)
    sos = base.index(b"\xff\xda")
    bomb = base[:sos] + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" * 7900 + base[sos:]
    with pytest.raises(UploadError) as e:
        decode_upload(bomb)
    assert e.value.status == 422 and "scans" in e.value.message
