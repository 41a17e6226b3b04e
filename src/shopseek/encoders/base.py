"""The encoder contract: batch methods are abstract, single-item calls derive from them."""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from PIL import Image

from shopseek.errors import BadInput


class CrossModalSpace(Protocol):
    """Maps an encoder's text and image vectors into one joint space and scores (text, image) matches."""

    joint_dim: int
    version: str

    def text(self, vectors: np.ndarray) -> np.ndarray:
        """Joint vectors for text vectors."""

    def image(self, vectors: np.ndarray) -> np.ndarray:
        """Joint vectors for image vectors."""

    def match(self, text: np.ndarray, images: np.ndarray) -> np.ndarray:
        """Match probabilities of one joint text vector against joint image vectors."""


TextRole = Literal["query", "passage"]
Progress = Callable[[int], None]


def compute_threads() -> int:
    """Threads for inference: OMP_NUM_THREADS when set (Ray sets it to a worker's CPUs), else every core."""
    return max(1, int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1))


class Encoder(ABC):
    """Maps text into a text space and images into an image space; unit-length float32 rows."""

    name: ClassVar[str]
    text_dim: int
    image_dim: int
    batch_size: ClassVar[int] = 32
    cross_modal: CrossModalSpace | None = None
    visual_words_version: str = ""  # set by encoders that also map images into the text space
    image_version: str = ""  # changes whenever image vectors or visual words change: indexes re-encode stored photos

    @abstractmethod
    def encode_text_batch(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Encode a batch of texts as queries or passages: shape (n, text_dim)."""

    @abstractmethod
    def encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Encode a batch of RGB images: shape (n, image_dim)."""

    def colour_query(self, colours: Sequence[str]) -> np.ndarray | None:
        """An image-space vector whose inner product with an image vector says how much it shows these colours
        (None when this encoder cannot tell, or no colour is known)."""
        return None

    def encode_visual_words_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """What RGB images show, as text-space vectors: shape (n, text_dim) (when `visual_words_version` is set)."""
        raise NotImplementedError(f"the {self.name} encoder has no visual words")

    def encode_image(self, image: Image.Image) -> np.ndarray:
        """Encode one image."""
        return self.encode_image_batch([image])[0]

    def encode_texts(self, texts: Sequence[str], role: TextRole, progress: Progress | None = None) -> np.ndarray:
        """Encode any number of texts in batches, reporting progress per batch."""
        return _batched(texts, self.text_dim, self.batch_size, lambda b: self.encode_text_batch(b, role), progress)

    def encode_images(self, images: Sequence[Image.Image], progress: Progress | None = None) -> np.ndarray:
        """Encode any number of images in batches, reporting progress per batch."""
        return _batched(images, self.image_dim, self.batch_size, self.encode_image_batch, progress)

    def encode_visual_words(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Visual-words vectors of any number of images, in batches."""
        return _batched(images, self.text_dim, self.batch_size, self.encode_visual_words_batch, None)


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


ENCODERS: dict[str, Callable[..., Encoder]] = {}
_INSTANCES: dict[str, Encoder] = {}
_BUILT_IN = {"offline": "shopseek.encoders.offline", "clip": "shopseek.encoders.clip"}


def register(name: str) -> Callable[[type[Encoder]], type[Encoder]]:
    """Class decorator that registers an encoder backend under a name."""

    def wrap(cls: type[Encoder]) -> type[Encoder]:
        ENCODERS[name] = cls
        return cls

    return wrap


def get_encoder(name: str, **options: Any) -> Encoder:
    """The process-wide encoder registered under `name` with these options (models load once)."""
    if name not in ENCODERS and name in _BUILT_IN:
        importlib.import_module(_BUILT_IN[name])  # the module registers its encoder
    if name not in ENCODERS:
        raise BadInput(f"unknown encoder {name!r}; known: {sorted(set(ENCODERS) | set(_BUILT_IN))}")
    cache_key = f"{name}:{sorted(options.items())}"
    if cache_key not in _INSTANCES:
        _INSTANCES[cache_key] = ENCODERS[name](**options)
    return _INSTANCES[cache_key]
