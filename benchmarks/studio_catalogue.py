"""A shop with full-size studio photos and titles that do not name the colour, next to the same products as
catalogue thumbnails: nDCG@10 of type + colour + gender queries (EN + ZH) per catalogue, mode and language.

The fashion products of one split that have a 224 px photo, catalogued five ways: 60x80 thumbnails with their
titles; thumbnails only; the 224 px photos only; studio shots only (each photo enlarged 4x on a 2400x3000 light
grey backdrop, as in `benchmarks.studio_photos`); studio shots with titles stripped of colour words (colour
variants whose titles do not say the colour). Settings are chosen on dev; test is reported.

Run: .venv/bin/python -m benchmarks.studio_catalogue [--split dev|test]   (needs ../shared/data)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import CACHE, attribute_queries, images_dir, split_main, split_products
from benchmarks.studio_photos import studio_shot
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.eval.runner import evaluate_modes
from shopseek.lab.attribute_queries import COLOURS
from shopseek.lab.fashion import FashionProduct

QUERY_PAIRS = 150
CATALOGUES = {  # name: (photo kind, title kind)
    "thumbnails + titles": ("thumbnail", "title"),
    "thumbnails only": ("thumbnail", None),
    "224 px photos only": ("photo", None),
    "studio shots only": ("studio", None),
    "studio shots + titles without colour": ("studio", "colourless"),
}


def colourless(products: list[FashionProduct]) -> re.Pattern[str]:
    """The colour words of the catalogue's own colour field and of the query vocabulary, as one pattern."""
    words = {p.colour.lower() for p in products if p.colour} | {w for english, _ in COLOURS.values() for w in english}
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in ordered) + r")\b", re.IGNORECASE)


def studio_shots(products: list[FashionProduct], folder: Path) -> Path:
    """Studio shots of the products' 224 px photos, written once."""
    if not folder.exists():
        folder.mkdir(parents=True)
        rng = np.random.default_rng(0)
        for product in products:
            photo = Image.open(images_dir() / "images_224" / f"{product.id}.jpg").convert("RGB")
            studio_shot(photo, rng).save(folder / f"{product.id}.jpg", quality=90)
    return folder


def catalogue_index(name: str, split: str, products: list[FashionProduct]) -> ShopSeek:
    """One of the five catalogues of the split, indexed once under the benchmark cache."""
    photo_kind, title_kind = CATALOGUES[name]
    folder = CACHE / "studio" / f"{split}-{name.replace(' ', '-').replace('+', 'and')}"
    if (folder / "catalog.sqlite").exists():
        return ShopSeek(folder)
    shots = studio_shots(products, CACHE / "studio" / f"shots-{split}")
    photo_folders = {"thumbnail": images_dir() / "images", "photo": images_dir() / "images_224", "studio": shots}
    pattern = colourless(products)
    path = folder.with_suffix(".jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for product in products:
            photo = photo_folders[photo_kind] / f"{product.id}.jpg"
            record: dict[str, object] = {"id": product.id, "images": [str(photo)]}
            if title_kind == "title":
                record["title"] = product.title
            elif title_kind == "colourless":
                record["title"] = re.sub(r"\s+", " ", pattern.sub(" ", product.title)).strip()
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    shop = ShopSeek(folder)
    shop.ingest(read_catalog(path))
    return shop


def measure(split: str) -> dict[str, object]:
    """{catalogue: {mode: {language: measures}}} on one split."""
    products = [p for p in split_products(split) if p.has_photo]
    queries, qrels = attribute_queries(products, QUERY_PAIRS, seed=1 if split == "test" else 2)
    result: dict[str, object] = {"products": len(products), "queries": len(queries)}
    for name in CATALOGUES:
        shop = catalogue_index(name, split, products)
        result[name] = evaluate_modes(shop, queries, qrels)
        shop.close()
    return result


def main() -> None:
    """Measure one split and write benchmarks/results/studio_catalogue[_dev].json."""
    split_main("studio_catalogue", measure)


if __name__ == "__main__":
    main()
