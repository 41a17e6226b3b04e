"""Decoding photos: upright as the camera's EXIF orientation says, large JPEGs at a reduced scale still large enough."""

from __future__ import annotations

import io
import random
import warnings

import numpy as np
from PIL import Image

from shopseek.catalog.media import DECODE_SIDE, decode_image
from shopseek.errors import BadMedia

RED, BLUE = (220, 20, 20), (20, 20, 220)


def encoded(image: Image.Image, kind: str = "JPEG", orientation: int | None = None) -> bytes:
    """The image as file bytes, a JPEG with an EXIF orientation when given."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if kind == "JPEG":
        image.save(buffer, format=kind, exif=exif.tobytes())
    else:
        image.save(buffer, format=kind)
    return buffer.getvalue()


def test_a_phone_photo_stands_as_it_was_shot() -> None:
    stored = Image.new("RGB", (40, 20), BLUE)
    stored.paste(RED, (0, 0, 20, 20))  # red on the left as stored; orientation 6: turn a quarter clockwise to show
    decoded = decode_image(encoded(stored, orientation=6))
    assert decoded.size == (20, 40)
    pixels = np.asarray(decoded).astype(int)
    assert np.abs(pixels[5, 10] - RED).max() < 40 and np.abs(pixels[35, 10] - BLUE).max() < 40


def test_a_large_jpeg_is_decoded_at_a_smaller_scale_that_keeps_both_sides_long() -> None:
    large = Image.new("RGB", (4000, 3000), RED)
    decoded = decode_image(encoded(large))
    assert decoded.size == (2000, 1500) and min(decoded.size) >= DECODE_SIDE
    assert decode_image(encoded(Image.new("RGB", (1500, 1200), RED))).size == (1500, 1200)
    assert decode_image(encoded(large, "PNG")).size == (4000, 3000)  # only JPEG decodes at a reduced scale


def test_a_photo_with_corrupt_exif_is_decoded_or_refused_clearly() -> None:
    good = encoded(Image.new("RGB", (64, 48), RED), orientation=6)
    start = good.find(b"Exif")
    rng = random.Random(0)
    outcomes = set()
    for _ in range(100):
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(start, start + 60)] = rng.randrange(256)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # Pillow warns about the EXIF it cannot read
                decode_image(bytes(data))
            outcomes.add("decoded")
        except BadMedia:
            outcomes.add("refused")
    assert "decoded" in outcomes  # any exception but BadMedia would have failed the test
