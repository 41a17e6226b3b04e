"""Colour histograms of a product's foreground: the colour evidence CNN pooling washes out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
from PIL import Image

from shopseek.encoders.framing import foreground

HUE_BINS = 12
SATURATION_BINS = 2
VALUE_BINS = 3
GREY_BINS = 5
COLOUR_DIM = HUE_BINS * SATURATION_BINS * VALUE_BINS + GREY_BINS
GREY_SATURATION = 0.2
COLOUR_ALIASES = {"gray": "grey", "golden": "gold", "navy": "navy blue", "violet": "purple", "wine": "burgundy"}


def colour_histogram(image: Image.Image) -> np.ndarray:
    """Unit-length square-rooted HSV histogram of the product's pixels (see `foreground`)."""
    image = image.convert("RGB")
    hsv = np.asarray(image.convert("HSV"), dtype=np.float32)[foreground(np.asarray(image, dtype=np.uint8))] / 255.0
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


@cache
def colour_prototypes() -> dict[str, np.ndarray]:
    """Per colour name, the histogram direction that tells it apart (built by tools/build_colour_prototypes.py)."""
    raw = json.loads(resources.files("shopseek").joinpath("data/colour-prototypes.json").read_text())
    return {name: np.asarray(values, dtype=np.float32) for name, values in raw["prototypes"].items()}


def colour_direction(names: Sequence[str]) -> np.ndarray | None:
    """Unit histogram direction of one or more colour names (None when none is known)."""
    known = [colour_prototypes()[name] for name in names if name in colour_prototypes()]
    if not known:
        return None
    direction = np.mean(known, axis=0)
    return direction / max(float(np.linalg.norm(direction)), 1e-12)


@cache
def _colour_phrases() -> dict[tuple[str, ...], str]:
    """Stemmed word tuples of every colour name and alias, and the colour they name."""
    from shopseek.language import stem

    names = {name: name for name in colour_prototypes()} | COLOUR_ALIASES
    return {tuple(stem(word) for word in phrase.split()): name for phrase, name in names.items()}


def colours_named(tokens: Sequence[str]) -> list[str]:
    """Colour names in a list of stemmed English tokens, longest phrase first ("navy blue" before "blue")."""
    phrases = _colour_phrases()
    found: list[str] = []
    used: set[int] = set()
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            name = phrases.get(tuple(tokens[start : start + size]))
            span = set(range(start, start + size))
            if name and not span & used:
                found.append(name)
                used |= span
    return list(dict.fromkeys(found))
