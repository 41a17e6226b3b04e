"""Cross-modal heads: map text (e5) and image (EfficientNet) vectors into one shared space, and score matches."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from torch import nn

from shopseek.encoders.base import compute_threads, normalize

SHIPPED = "models/alignment-v4.pt"


@dataclass(frozen=True)
class HeadsConfig:
    """Sizes of the heads; saved with the weights."""

    text_dim: int
    image_dim: int
    hidden: int = 512
    joint_dim: int = 256
    match_hidden: int = 256


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(), nn.Dropout(0.1), nn.Linear(hidden, outputs))


class AlignmentHeads(nn.Module):
    """Text head, image head (into the joint space) and a matching head over a (text, image) pair."""

    def __init__(self, config: HeadsConfig) -> None:
        super().__init__()
        self.config = config
        self.text = _mlp(config.text_dim, config.hidden, config.joint_dim)
        self.image = _mlp(config.image_dim, config.hidden, config.joint_dim)
        self.matcher = nn.Sequential(
            nn.Linear(4 * config.joint_dim, config.match_hidden), nn.GELU(), nn.Linear(config.match_hidden, 1)
        )
        self.log_scale = nn.Parameter(torch.tensor(float(np.log(1 / 0.05))))

    def embed_text(self, vectors: torch.Tensor) -> torch.Tensor:
        """Unit joint-space vectors for e5 text vectors."""
        return nn.functional.normalize(self.text(vectors), dim=-1)

    def embed_image(self, vectors: torch.Tensor) -> torch.Tensor:
        """Unit joint-space vectors for image feature vectors."""
        return nn.functional.normalize(self.image(vectors), dim=-1)

    def match_logit(self, text: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """Matching-head logit for joint text and image vectors (feature-level fusion)."""
        return self.matcher(torch.cat([text, image, text * image, (text - image).abs()], dim=-1)).squeeze(-1)

    def save(self, path: Path) -> None:
        """Write half-precision weights and the config."""
        state = {k: v.half() if v.is_floating_point() else v for k, v in self.state_dict().items()}
        torch.save({"config": asdict(self.config), "state": state}, path)

    @classmethod
    def load(cls, path: Path) -> AlignmentHeads:
        """Read heads written by `save`, in eval mode."""
        payload = torch.load(path, map_location="cpu", weights_only=True)
        heads = cls(HeadsConfig(**payload["config"]))
        heads.load_state_dict({k: v.float() for k, v in payload["state"].items()})
        return heads.eval()


@contextlib.contextmanager
def every_core() -> Iterator[None]:
    """Torch on every inference thread for a block or a decorated function (training), as it was after."""
    before = torch.get_num_threads()
    torch.set_num_threads(compute_threads())
    try:
        yield
    finally:
        torch.set_num_threads(before)


class CrossModal:
    """Inference wrapper: numpy in, numpy out."""

    def __init__(self, heads: AlignmentHeads, version: str = "") -> None:
        self.heads = heads
        self.joint_dim = heads.config.joint_dim
        self.version = version

    @torch.inference_mode()
    def text(self, vectors: np.ndarray) -> np.ndarray:
        """Joint-space vectors for e5 vectors."""
        return normalize(self.heads.embed_text(torch.from_numpy(np.asarray(vectors, np.float32))).numpy())

    @torch.inference_mode()
    def image(self, vectors: np.ndarray) -> np.ndarray:
        """Joint-space vectors for image vectors."""
        return normalize(self.heads.embed_image(torch.from_numpy(np.asarray(vectors, np.float32))).numpy())

    @torch.inference_mode()
    def match(self, text: np.ndarray, images: np.ndarray) -> np.ndarray:
        """Match probabilities of one joint text vector against joint image vectors."""
        text_t = torch.from_numpy(np.asarray(text, np.float32)).expand(len(images), -1)
        logits = self.heads.match_logit(text_t, torch.from_numpy(np.asarray(images, np.float32)))
        return torch.sigmoid(logits).numpy()


def heads_from(path: Path) -> CrossModal:
    """Heads saved at `path`, versioned by the file's name and content."""
    version = f"{path.stem}:{hashlib.sha1(path.read_bytes()).hexdigest()[:12]}"
    return CrossModal(AlignmentHeads.load(path), version)


def shipped_heads() -> CrossModal | None:
    """The heads shipped in the package, or None when absent."""
    path = Path(str(resources.files("shopseek").joinpath(SHIPPED)))
    return heads_from(path) if path.exists() else None
