"""Shared fixtures: a deterministic fake encoder and a tiny catalogue with real image files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopseek.app import ShopSeek
from shopseek.encoders.base import ENCODERS, Encoder, TextRole, normalize, register
from shopseek.language import to_english, tokenize

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

COLOURS = {"red": (220, 20, 30), "blue": (20, 40, 210), "green": (30, 170, 40), "black": (10, 10, 10)}


@register("fake")
class FakeEncoder(Encoder):
    """Hashes tokens into bag-of-words vectors and images into a coarse colour layout: fast, deterministic."""

    name = "fake"
    text_dim = 64
    image_dim = 48
    batch_size = 8
    visual_words_version = "fake-colour-names"
    image_version = "fake-4x4+fake-colour-names"

    def encode_text_batch(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Token-hash vectors of the English rendition, so related texts share dimensions."""
        out = np.zeros((len(texts), self.text_dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(to_english(text)):
                out[row, int(hashlib.md5(token.encode()).hexdigest(), 16) % self.text_dim] += 1.0
        out[:, 0] += 1e-3
        return normalize(out)

    def encode_image_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """A 4x4 RGB thumbnail as a vector."""
        arrays = [np.asarray(im.convert("RGB").resize((4, 4)), dtype=np.float32).ravel() for im in images]
        return normalize(np.stack(arrays) - 127.0)

    def colour_query(self, colours: Sequence[str]) -> np.ndarray | None:
        """The image vector of a plain patch of the first colour this encoder knows."""
        known = [name for name in colours if name in COLOURS]
        return self.encode_image_batch([Image.new("RGB", (4, 4), COLOURS[known[0]])])[0] if known else None

    def encode_visual_words_batch(self, images: Sequence[Image.Image]) -> np.ndarray:
        """The text vector of the colour name nearest to each image's non-white pixels."""
        names = []
        for image in images:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3)
            foreground = pixels[pixels.min(axis=1) < 235]
            mean = (foreground if len(foreground) else pixels).mean(axis=0)
            names.append(min(COLOURS, key=lambda name: float(np.linalg.norm(mean - np.array(COLOURS[name])))))
        return self.encode_text_batch(names, "passage")


assert "fake" in ENCODERS


def write_image(path: Path, colour: str, size: tuple[int, int] = (60, 80)) -> str:
    """Write a product-like photo: a coloured block on white."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(COLOURS[colour], (size[0] // 6, size[1] // 6, size[0] * 5 // 6, size[1] * 5 // 6))
    image.save(path)
    return str(path)


@pytest.fixture
def tiny_catalog(tmp_path: Path) -> Path:
    """Six products: text+image, text-only and image-only, with prices, brands and categories."""
    folder = tmp_path / "catalog"
    products = [
        {
            "id": "p1",
            "title": "Red cotton shirt",
            "brand": "Acme",
            "category": "shirts",
            "price": 20,
            "images": ["img/p1.png"],
            "reviews": ["great shirt", {"text": "fits well", "rating": 5}],
        },
        {
            "id": "p2",
            "title": "Blue denim jeans",
            "brand": "Denimco",
            "category": "jeans",
            "price": 45,
            "images": ["img/p2.png"],
        },
        {
            "id": "p3",
            "title": "Green running shoes",
            "brand": "Acme",
            "category": "shoes",
            "price": 80,
            "images": ["img/p3.png"],
        },
        {"id": "p4", "title": "Black leather wallet", "category": "wallets", "price": 30},
        {"id": "p5", "images": ["img/p5.png"]},
        {
            "id": "p6",
            "title": "Smartphone with a big screen",
            "category": "smartphones",
            "price": 500,
            "description": "A phone for everyone",
            "colour": "black",
        },
    ]
    for product, colour in zip(products, ["red", "blue", "green", None, "red", None], strict=True):
        if colour:
            write_image(folder / product["images"][0], colour)  # type: ignore[index]
    path = folder / "catalog.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in products) + "\n")
    return path


@pytest.fixture
def fake_shop(tmp_path: Path, tiny_catalog: Path) -> Iterator[ShopSeek]:
    """A ShopSeek over the tiny catalogue with the fake encoder."""
    from shopseek.catalog.readers import read_catalog

    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    yield shop
    shop.close()


@pytest.fixture
def tshirt_shop(tmp_path: Path) -> ShopSeek:
    """Twenty t-shirts, five in each of red, blue, green and black, worded alike otherwise (fake encoder)."""
    from shopseek.catalog.readers import read_catalog

    lines = [
        json.dumps({"id": f"{colour}-{n}", "title": f"{colour} cotton t-shirt model {n}", "category": "tshirts"})
        for n in range(5)
        for colour in COLOURS
    ]
    (tmp_path / "tshirts.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "tshirt-index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tmp_path / "tshirts.jsonl"))
    return shop


def needs_shared_data() -> pytest.MarkDecorator:
    """Skip when ../shared/data is not beside the project."""
    return pytest.mark.skipif(not SHARED_DATA.exists(), reason="needs ../shared/data")
