"""Training views of a product photo: the product as a studio shoots it, and batches that draw among the views."""

from __future__ import annotations

import numpy as np
from PIL import Image

from shopseek.lab.fashion import FashionProduct
from shopseek.lab.photo_views import CANVAS, studio_view
from shopseek.learn.alignment import QUERIES_PER_PRODUCT, SplitData, attribute_ids, sample_batches

RED = (200, 30, 40)


def catalogue_photo() -> Image.Image:
    """A red product with a white patch inside it, on the white of a catalogue thumbnail."""
    pixels = np.full((80, 60, 3), 255, dtype=np.uint8)
    pixels[10:70, 10:50] = RED
    pixels[30:40, 25:35] = 255
    return Image.fromarray(pixels)


def test_a_studio_view_puts_the_product_on_a_backdrop_and_keeps_white_inside_it() -> None:
    view = np.asarray(studio_view(catalogue_photo(), np.random.default_rng(1)))
    assert view.shape == (CANVAS[1], CANVAS[0], 3)
    corner = view[0, 0].astype(int)
    assert (view.reshape(-1, 3) == view[0, 0]).all(axis=1).mean() > 0.3  # a plain backdrop fills the rest
    assert not (corner == 255).all()
    red = (np.abs(view.astype(int) - RED).max(axis=2) < 30).sum()
    white = (view.min(axis=2) > 245).sum()
    assert red > 0 and white > 0 and white < red  # the white patch inside the product stayed white


def test_a_studio_view_is_the_same_for_the_same_seed() -> None:
    one = studio_view(catalogue_photo(), np.random.default_rng(7))
    two = studio_view(catalogue_photo(), np.random.default_rng(7))
    assert np.array_equal(np.asarray(one), np.asarray(two))


def test_training_batches_draw_each_product_photo_from_its_views() -> None:
    products = [FashionProduct(str(n), f"p{n}", "Men", "Tshirts", "Red", "Casual", True) for n in range(64)]
    views = np.stack([np.full((64, 4), float(view), np.float32) for view in range(3)], axis=1)
    views[:, :, 1] = np.arange(64)[:, None]  # each row knows its product
    data = SplitData(
        products,
        views,
        np.zeros((64, 2), np.float32),
        np.zeros((64, QUERIES_PER_PRODUCT, 2), np.float32),
        *attribute_ids(products),
    )
    batches = sample_batches(data, 16, np.random.default_rng(0))
    images = np.concatenate([batch["images"].numpy() for batch in batches])
    assert images.shape == (64, 4)
    assert sorted(images[:, 1].astype(int).tolist()) == list(range(64))  # every product once per epoch
    assert set(images[:, 0].astype(int).tolist()) == {0, 1, 2}  # its photo from any of the views
