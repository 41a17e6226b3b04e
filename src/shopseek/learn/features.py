"""Frozen-encoder features for training, computed once and cached as .npy files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from shopseek.encoders.base import Encoder, normalize
from shopseek.search.understand import understand

Progress = Callable[[int], None]
T = TypeVar("T")


def cached(path: Path, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """Load an array from `path`, computing and saving it first when missing."""
    if path.exists():
        return np.load(path)
    array = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)
    return array


def query_vectors(encoder: Encoder, texts: list[str], progress: Progress | None = None) -> np.ndarray:
    """Query vectors exactly as the engine makes them: mean of the query's and its English rendition's."""
    renditions = [understand(t).renditions for t in texts]
    flat = [r for group in renditions for r in group]
    vectors = encoder.encode_texts(flat, "query", progress)
    out, start = [], 0
    for group in renditions:
        out.append(normalize(vectors[start : start + len(group)].mean(axis=0)))
        start += len(group)
    return np.stack(out) if out else np.zeros((0, encoder.text_dim), np.float32)


def image_vectors(
    encoder: Encoder,
    paths: list[Path],
    render: Callable[[Image.Image, T], Image.Image] | None = None,
    subjects: Sequence[T] = (),
    progress: Progress | None = None,
) -> np.ndarray:
    """Image vectors for image files (each first rendered with its subject when `render` is given), in chunks so
    that memory stays small."""
    chunks = []
    for start in range(0, len(paths), 256):
        images = [Image.open(p).convert("RGB") for p in paths[start : start + 256]]
        if render is not None:
            images = [
                render(image, subject) for image, subject in zip(images, subjects[start : start + 256], strict=True)
            ]
        chunks.append(encoder.encode_images(images, progress))
    return np.concatenate(chunks) if chunks else np.zeros((0, encoder.image_dim), np.float32)
