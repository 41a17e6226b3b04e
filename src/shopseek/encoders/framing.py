"""Where the product is in a photo: the pixels unlike its plain background, and the region they fill.

Studio photos come at any size with the product anywhere on a plain (white, grey or coloured) backdrop;
catalogue thumbnails are mostly product. Encoding the product's region makes both look alike.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

BACKGROUND_DISTANCE = 20  # a pixel differing from the background by more than this in some channel is product
BORDER = 0.03  # the outer share of each side that shows the background in a product photo
PLAIN_BORDER = 0.6  # the share of the border that must match its median colour for a plain background
MIN_FOREGROUND = 0.05  # below this share of a framed photo (a thumbnail, a shopper's crop) the product is too faint
# to tell from its backdrop: the photo is kept whole (cutting a white shirt down to its logo cost photo search)
MIN_FOREGROUND_LARGE = 0.002  # in a photo larger than MASK_SIDE (a studio shot) a product this small is still found
# (the 5% floor kept a tee shot from afar whole, shrinking it to a few pixels)
MASK_SIDE = 256  # the product region is found on a copy this small
REGION_MARGIN = 0.04  # of the region's longer side, kept around it
SMALL_REGION = 0.25  # cut out only a product filling less than this share of the photo (catalogue thumbnails are
# already framed: re-framing them all cost the trained heads 6 points of nDCG@10 on fashion dev)


def foreground(rgb: np.ndarray, min_share: float = MIN_FOREGROUND) -> np.ndarray:
    """Mask of the product's pixels in an (h, w, 3) photo: those unlike its plain background (studio white, grey
    or any colour, read off the border; the product may touch it); every pixel when there is no plain background
    or less than `min_share` of the pixels differ from it."""
    height, width, _ = rgb.shape
    band = max(1, round(min(height, width) * BORDER))
    border = np.concatenate(
        [
            rgb[:band].reshape(-1, 3),
            rgb[-band:].reshape(-1, 3),
            rgb[:, :band].reshape(-1, 3),
            rgb[:, -band:].reshape(-1, 3),
        ]
    ).astype(np.int16)
    background = np.median(border, axis=0)
    if (np.abs(border - background).max(axis=1) <= BACKGROUND_DISTANCE).mean() < PLAIN_BORDER:
        return np.ones((height, width), dtype=bool)
    mask = np.abs(rgb.astype(np.int16) - background).max(axis=2) > BACKGROUND_DISTANCE
    return mask if mask.mean() >= min_share else np.ones((height, width), dtype=bool)


def product_region(image: Image.Image) -> Image.Image:
    """The part of a photo that shows the product, with a small margin, when the product is small in the frame;
    the whole photo when it fills much of it or there is no plain background to tell it from (snapshots)."""
    small = image.convert("RGB")
    small.thumbnail((MASK_SIDE, MASK_SIDE))
    large = max(image.size) > MASK_SIDE
    mask = foreground(np.asarray(small, dtype=np.uint8), MIN_FOREGROUND_LARGE if large else MIN_FOREGROUND)
    if mask.all():
        return image
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if (
        len(rows) * len(columns)
        and (rows[-1] - rows[0] + 1) * (columns[-1] - columns[0] + 1) >= SMALL_REGION * mask.size
    ):
        return image
    scale = image.width / small.width
    top, bottom = rows[0] * scale, (rows[-1] + 1) * scale
    left, right = columns[0] * scale, (columns[-1] + 1) * scale
    margin = REGION_MARGIN * max(bottom - top, right - left)
    box = (
        max(0, left - margin),
        max(0, top - margin),
        min(image.width, right + margin),
        min(image.height, bottom + margin),
    )
    return image.crop(tuple(round(v) for v in box))
