"""Other views of a product photo for training: the same product as a studio shoots it, so that heads trained on
catalogue thumbnails also know full-size studio shots on grey or tinted backdrops."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from shopseek.encoders.framing import foreground

CANVAS = (600, 750)
BACKDROP_LIGHTNESS = (190, 250)
BACKDROP_TINT = 12  # each channel of the backdrop strays this far from its grey at most
PRODUCT_HEIGHT = (0.3, 0.95)  # of the canvas


def backdrop_pixels(rgb: np.ndarray) -> np.ndarray:
    """Mask of the plain background reachable from the photo's border (white inside the product stays product)."""
    outside = ~foreground(rgb)
    labels, _ = ndimage.label(outside)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, border[border > 0])


def studio_view(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The photo's product on a light grey or tinted backdrop, at a random size and place on a larger canvas."""
    grey = int(rng.integers(*BACKDROP_LIGHTNESS))
    backdrop = np.clip(grey + rng.integers(-BACKDROP_TINT, BACKDROP_TINT + 1, 3), 0, 255).astype(np.uint8)
    width, height = CANVAS
    scale = rng.uniform(*PRODUCT_HEIGHT) * height / photo.height
    size = (max(1, min(width, round(photo.width * scale))), max(1, round(photo.height * scale)))
    pixels = np.asarray(photo.convert("RGB").resize(size, Image.Resampling.BICUBIC)).copy()
    pixels[backdrop_pixels(pixels)] = backdrop
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = backdrop
    top = int(rng.integers(0, height - size[1] + 1))
    left = int(rng.integers(0, width - size[0] + 1))
    canvas[top : top + size[1], left : left + size[0]] = pixels
    return Image.fromarray(canvas)
