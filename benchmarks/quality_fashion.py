"""Held-out quality on the fashion test split: nDCG@10 per mode and language, and photo → product MRR.

Run: .venv/bin/python -m benchmarks.quality_fashion   (needs ../shared/data; first run indexes the test split)
"""

from __future__ import annotations

import random

from PIL import Image

from benchmarks.common import attribute_queries, images_dir, test_index, test_products, write_result
from shopseek.config import Signal
from shopseek.eval.runner import evaluate_modes
from shopseek.search.engine import Query

QUERY_PAIRS = 150
PHOTO_QUERIES = 500


def text_quality(index_name: str, text: bool) -> dict[str, dict[str, dict[str, float]]]:
    """nDCG@10 and friends of each mode, overall and per language, on one test-split index."""
    products = test_products()
    shop = test_index(index_name, text=text)
    return evaluate_modes(shop, *attribute_queries(products, QUERY_PAIRS, seed=1))


def photo_quality() -> dict[str, float]:
    """MRR of finding a product from its 224px photo among the test split's 60x80 thumbnails."""
    shop = test_index()
    with_photo = sorted(p.id for p in test_products() if p.has_photo)
    chosen = random.Random(3).sample(with_photo, min(PHOTO_QUERIES, len(with_photo)))
    folder = images_dir() / "images_224"
    out: dict[str, float] = {"queries": len(chosen), "catalogue": shop.count()}
    modes: tuple[tuple[str, frozenset[Signal] | None], ...] = (("image", frozenset({"image"})), ("photo hybrid", None))
    for mode, signals in modes:
        reciprocal = 0.0
        for product_id in chosen:
            photo = Image.open(folder / f"{product_id}.jpg").convert("RGB")
            ranked = [hit.product.id for hit in shop.search(Query(image=photo, k=100, signals=signals)).hits]
            reciprocal += 1.0 / (ranked.index(product_id) + 1) if product_id in ranked else 0.0
        out[f"MRR {mode}"] = round(reciprocal / len(chosen), 4)
    return out


def main() -> None:
    """Measure and write benchmarks/results/quality_fashion.json."""
    result: dict[str, dict] = {
        "titles+images": text_quality("fashion-test", text=True),
        "images only": text_quality("fashion-test-images", text=False),
        "photo": photo_quality(),
    }
    path = write_result("quality_fashion", result)
    for catalogue in ("titles+images", "images only"):
        for mode, per_language in result[catalogue].items():
            cells = "  ".join(f"{lang}={v['nDCG@10']:.3f}" for lang, v in per_language.items())
            print(f"{catalogue:14s} {mode:13s} nDCG@10 {cells}")
    print(result["photo"])
    print(f"written to {path}")


if __name__ == "__main__":
    main()
