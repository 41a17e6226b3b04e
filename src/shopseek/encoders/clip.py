"""CLIP / Chinese-CLIP encoder from a local Hugging Face-format checkpoint folder (never downloads).

open_clip (LAION) and Chinese-CLIP weights are published in this format too. Text and images share one space, so
the cross-modal heads are the identity. Needs the `clip` extra (transformers).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from shopseek.encoders.base import Encoder, TextRole, normalize, register
from shopseek.errors import BadInput

MODEL_TYPES = ("clip", "chinese_clip")


class SharedSpace:
    """Cross-modal view of an encoder whose text and image vectors already share a space."""

    def __init__(self, dim: int, logit_scale: float, version: str) -> None:
        self.joint_dim = dim
        self.logit_scale = logit_scale
        self.version = version

    def text(self, vectors: np.ndarray) -> np.ndarray:
        """Text vectors are already joint vectors."""
        return normalize(vectors)

    def image(self, vectors: np.ndarray) -> np.ndarray:
        """Image vectors are already joint vectors."""
        return normalize(vectors)

    def match(self, text: np.ndarray, images: np.ndarray) -> np.ndarray:
        """Match probability from the scaled cosine (CLIP's logit scale, centred)."""
        cosine = np.asarray(images, np.float32) @ np.asarray(text, np.float32)
        return 1.0 / (1.0 + np.exp(-self.logit_scale * (cosine - 0.2)))


@register("clip")
class ClipEncoder(Encoder):
    """Text and image towers of a CLIP-family model loaded from `path` (or $SHOPSEEK_CLIP_PATH)."""

    name = "clip"
    batch_size = 16

    def __init__(self, path: str | None = None) -> None:
        folder = Path(path or os.environ.get("SHOPSEEK_CLIP_PATH", ""))
        config_file = folder / "config.json"
        if not config_file.is_file():
            raise FileNotFoundError(f"no CLIP checkpoint at {folder!s}: set encoder_options.path or SHOPSEEK_CLIP_PATH")
        model_type = json.loads(config_file.read_text()).get("model_type")
        if model_type not in MODEL_TYPES:
            raise BadInput(f"{folder}: model_type {model_type!r} is not one of {MODEL_TYPES}")
        try:
            import transformers
        except ImportError as exc:
            raise ImportError("the clip encoder needs the 'clip' extra: pip install 'shopseek[clip]'") from exc
        model_class, processor_class = (
            (transformers.CLIPModel, transformers.CLIPProcessor)
            if model_type == "clip"
            else (transformers.ChineseCLIPModel, transformers.ChineseCLIPProcessor)
        )
        self.model = model_class.from_pretrained(folder, local_files_only=True).eval()
        self.processor = processor_class.from_pretrained(folder, local_files_only=True)
        dim = int(self.model.config.projection_dim)
        self.text_dim = dim
        self.image_dim = dim
        scale = float(self.model.logit_scale.detach().exp().clamp(max=100))
        self.cross_modal = SharedSpace(dim, scale, f"clip:{folder.resolve()}")

    @torch.inference_mode()
    def encode_text_batch(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Projected text features (CLIP has no query/passage roles)."""
        inputs = self.processor(text=[t or " " for t in texts], return_tensors="pt", padding=True, truncation=True)
        features = self.model.get_text_features(**inputs)
        return normalize(_tensor(features).numpy())

    @torch.inference_mode()
    def encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Projected image features."""
        inputs = self.processor(images=[im.convert("RGB") for im in images], return_tensors="pt")
        features = self.model.get_image_features(**inputs)
        return normalize(_tensor(features).numpy())


def _tensor(output: object) -> torch.Tensor:
    """Features from a transformers output (a tensor, or an output object with pooled features)."""
    if isinstance(output, torch.Tensor):
        return output
    for name in ("pooler_output", "text_embeds", "image_embeds"):
        value = getattr(output, name, None)
        if isinstance(value, torch.Tensor):
            return value
    raise TypeError(f"unexpected output {type(output).__name__}")
