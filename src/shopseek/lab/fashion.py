"""The fashion product set (../shared/data/fashion): loading, a fixed train/dev/test split, catalogue export."""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FashionProduct:
    """One fashion product with the attributes relevance is judged by."""

    id: str
    title: str
    gender: str
    article_type: str
    colour: str
    usage: str
    has_photo: bool
    master_category: str = ""


def split_of(product_id: str) -> str:
    """Deterministic split by product id: 70% train, 10% dev, 20% test."""
    bucket = int(hashlib.sha1(product_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 7 else "dev" if bucket == 7 else "test"


def load_products(folder: Path) -> list[FashionProduct]:
    """All products of the fashion set."""
    with gzip.open(folder / "products.jsonl.gz", "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [
        FashionProduct(
            r["id"],
            r["title"] or "",
            r["gender"] or "",
            r["article_type"] or "",
            r["base_colour"] or "",
            r["usage"] or "",
            bool(r.get("image_224")),
            r.get("master_category") or "",
        )
        for r in rows
    ]


def extract_images(folder: Path, target: Path) -> Path:
    """Unpack the thumbnail and 224px archives once into `target`; returns `target`."""
    for archive_name, marker in (("images.tar.gz", "images"), ("images_224.tar.gz", "images_224")):
        if not (target / marker).exists():
            target.mkdir(parents=True, exist_ok=True)
            with tarfile.open(folder / archive_name) as archive:
                archive.extractall(target, filter="data")
    return target


def write_catalog(products: list[FashionProduct], images: Path, path: Path, *, text: bool = True) -> Path:
    """Write products as a shopseek JSONL catalogue (with or without their text) pointing at thumbnails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for product in products:
            record: dict[str, object] = {
                "id": product.id,
                "images": [str(images / "images" / f"{product.id}.jpg")],
            }
            if text:
                record["title"] = product.title
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
