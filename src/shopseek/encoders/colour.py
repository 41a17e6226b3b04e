"""Colour histograms of a product's foreground: the colour evidence CNN pooling washes out."""

from __future__ import annotations

import numpy as np
from PIL import Image

HUE_BINS = 12
SATURATION_BINS = 2
VALUE_BINS = 3
GREY_BINS = 5
COLOUR_DIM = HUE_BINS * SATURATION_BINS * VALUE_BINS + GREY_BINS
BACKGROUND_MIN = 235
GREY_SATURATION = 0.2
MIN_FOREGROUND = 0.05


def colour_histogram(image: Image.Image) -> np.ndarray:
    """Unit-length square-rooted HSV histogram of the non-white pixels (all pixels when nearly all are white)."""
    image = image.convert("RGB")
    rgb = np.asarray(image, dtype=np.uint8).reshape(-1, 3)
    hsv = np.asarray(image.convert("HSV"), dtype=np.float32).reshape(-1, 3) / 255.0
    foreground = rgb.min(axis=1) < BACKGROUND_MIN
    if foreground.mean() >= MIN_FOREGROUND:
        hsv = hsv[foreground]
    hue, saturation, value = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    grey = saturation < GREY_SATURATION
    value_bin = np.minimum((value * VALUE_BINS).astype(int), VALUE_BINS - 1)
    saturation_bin = np.minimum(
        ((saturation - GREY_SATURATION) / (1 - GREY_SATURATION) * SATURATION_BINS).astype(int), SATURATION_BINS - 1
    )
    hue_bin = np.minimum((hue * HUE_BINS).astype(int), HUE_BINS - 1)
    colour_bins = (hue_bin * SATURATION_BINS + saturation_bin) * VALUE_BINS + value_bin
    grey_bins = HUE_BINS * SATURATION_BINS * VALUE_BINS + np.minimum((value * GREY_BINS).astype(int), GREY_BINS - 1)
    bins = np.where(grey, grey_bins, colour_bins)
    histogram = np.bincount(bins, minlength=COLOUR_DIM).astype(np.float32)
    histogram = np.sqrt(histogram / max(histogram.sum(), 1.0))
    return histogram / max(float(np.linalg.norm(histogram)), 1e-12)
