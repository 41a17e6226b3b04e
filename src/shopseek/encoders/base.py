"""The encoder contract: batch methods are abstract, single-item calls derive from them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from shopseek.encoders.heads import CrossModal

TextRole = Literal["query", "passage"]
Progress = Callable[[int], None]


class Encoder(ABC):
    """Maps text into a text space and images into an image space; unit-length float32 rows."""

    name: ClassVar[str]
    text_dim: ClassVar[int]
    image_dim: ClassVar[int]
    batch_size: ClassVar[int] = 32
    cross_modal: CrossModal | None = None

    @abstractmethod
    def encode_text_batch(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Encode a batch of texts as queries or passages: shape (n, text_dim)."""

    @abstractmethod
    def encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Encode a batch of RGB images: shape (n, image_dim)."""

    def encode_text(self, text: str, role: TextRole = "query") -> np.ndarray:
        """Encode one text."""
        return self.encode_text_batch([text], role)[0]

    def encode_image(self, image: Image.Image) -> np.ndarray:
        """Encode one image."""
        return self.encode_image_batch([image])[0]

    def encode_texts(self, texts: Sequence[str], role: TextRole, progress: Progress | None = None) -> np.ndarray:
        """Encode any number of texts in batches, reporting progress per batch."""
        return _batched(texts, self.text_dim, self.batch_size, lambda b: self.encode_text_batch(b, role), progress)

    def encode_images(self, images: Sequence[Image.Image], progress: Progress | None = None) -> np.ndarray:
        """Encode any number of images in batches, reporting progress per batch."""
        return _batched(images, self.image_dim, self.batch_size, self.encode_image_batch, progress)


def _batched(items: Sequence, dim: int, size: int, fn: Callable, progress: Progress | None) -> np.ndarray:
    out = np.zeros((len(items), dim), dtype=np.float32)
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        out[start : start + len(batch)] = fn(batch)
        if progress:
            progress(len(batch))
    return out


def normalize(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows; zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


ENCODERS: dict[str, Callable[[], Encoder]] = {}
_INSTANCES: dict[str, Encoder] = {}


def register(name: str) -> Callable[[type[Encoder]], type[Encoder]]:
    """Class decorator that registers an encoder backend under a name."""

    def wrap(cls: type[Encoder]) -> type[Encoder]:
        ENCODERS[name] = cls
        return cls

    return wrap


def get_encoder(name: str) -> Encoder:
    """The process-wide encoder registered under `name` (models load once)."""
    if name not in ENCODERS and name == "offline":
        import shopseek.encoders.offline  # noqa: F401  (registers itself)
    if name not in ENCODERS:
        raise KeyError(f"unknown encoder {name!r}; known: {sorted(ENCODERS)}")
    if name not in _INSTANCES:
        _INSTANCES[name] = ENCODERS[name]()
    return _INSTANCES[name]
