"""Finding the product in photos of any size and backdrop; its colour read from the product, not the backdrop."""

from __future__ import annotations

import numpy as np
from PIL import Image

from shopseek.encoders.colour import colour_histogram
from shopseek.encoders.framing import product_region

RED = (200, 30, 40)


def studio_shot(
    backdrop: tuple[int, int, int], size: tuple[int, int] = (3000, 4000), share: float = 0.2
) -> Image.Image:
    """A red product in the middle of a large plain backdrop, `share` of its width and a quarter of its height."""
    width, height = size
    image = Image.new("RGB", size, backdrop)
    left, top = round(width * (1 - share) / 2), height * 3 // 8
    image.paste(RED, (left, top, width - left, height * 5 // 8))
    return image


def test_the_product_region_is_cut_from_a_large_studio_photo() -> None:
    region = product_region(studio_shot((228, 228, 230)))
    assert 600 <= region.width <= 720 and 1000 <= region.height <= 1100  # 600x1000 and a margin
    assert np.asarray(region.resize((8, 8)))[4, 4].tolist() == list(RED)


def test_a_product_filling_one_percent_of_the_frame_is_cut_out() -> None:
    region = product_region(studio_shot((235, 235, 235), share=0.04))  # 120x1000 px of 3000x4000
    assert region.width <= 250 and region.height <= 1200
    assert np.asarray(region.resize((8, 8)))[4, 4].tolist() == list(RED)


def test_a_faint_product_in_a_small_framed_photo_keeps_the_photo_whole() -> None:
    thumbnail = studio_shot((255, 255, 255), (60, 80), share=0.1)  # a logo-sized mark on a white thumbnail
    assert product_region(thumbnail).size == thumbnail.size


def test_a_photo_without_a_plain_backdrop_is_kept_whole() -> None:
    noise = np.random.default_rng(0).integers(0, 255, (400, 300, 3), dtype=np.uint8)
    snapshot = Image.fromarray(noise)
    assert product_region(snapshot).size == snapshot.size


def test_colour_comes_from_the_product_on_any_backdrop_and_at_any_size() -> None:
    on_white = colour_histogram(studio_shot((255, 255, 255), (60, 80)))
    for backdrop in ((228, 228, 230), (40, 90, 200), (255, 255, 255)):
        histogram = colour_histogram(studio_shot(backdrop))
        assert float(histogram @ on_white) > 0.99
