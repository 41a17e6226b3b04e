"""Held-out quality on the fashion test split: nDCG@10 per mode and language, and photo → product MRR.

Run: .venv/bin/python -m benchmarks.quality_fashion   (needs ../shared/data; first run indexes ~7k products)
"""

from __future__ import annotations

import random

from PIL import Image

from benchmarks.common import images_dir, test_index, test_products, write_result
from shopseek.eval.attribute_queries import build_queries, qrels_for
from shopseek.eval.metrics import evaluate
from shopseek.search.engine import Query

MODES = {
    "bm25": frozenset({"lexical"}),
    "dense": frozenset({"dense"}),
    "hybrid": None,
}
QUERY_PAIRS = 150
PHOTO_QUERIES = 500


def text_quality() -> dict[str, dict[str, float]]:
    """nDCG@10 (and friends) of each mode, overall and per language."""
    products = test_products()
    shop = test_index()
    queries = build_queries(products, QUERY_PAIRS, seed=1)
    qrels = qrels_for(queries, products)
    out: dict[str, dict[str, float]] = {}
    for mode, signals in MODES.items():
        run = {}
        for query in queries:
            hits = shop.search(Query(query.text, k=100, signals=signals)).hits
            run[query.qid] = {hit.product.id: hit.score for hit in hits}
        for language in ("all", "en", "zh"):
            subset = {q.qid for q in queries if language in ("all", q.language)}
            scores = evaluate({q: qrels[q] for q in subset}, {q: run[q] for q in subset}, ["nDCG@10", "AP", "P@10"])
            out[f"{mode}/{language}"] = {k: round(v, 4) for k, v in scores.items()}
    return out


def photo_quality() -> dict[str, float]:
    """MRR of finding a product from its 224px photo among the test split's 60x80 thumbnails."""
    shop = test_index()
    with_photo = sorted(p.id for p in test_products() if p.has_photo)
    chosen = random.Random(3).sample(with_photo, min(PHOTO_QUERIES, len(with_photo)))
    folder = images_dir() / "images_224"
    out: dict[str, float] = {"queries": len(chosen), "catalogue": shop.count()}
    for mode, signals in (("image", frozenset({"image"})), ("image+text-side", None)):
        reciprocal = 0.0
        for product_id in chosen:
            photo = Image.open(folder / f"{product_id}.jpg").convert("RGB")
            ranked = [hit.product.id for hit in shop.search(Query(image=photo, k=100, signals=signals)).hits]
            reciprocal += 1.0 / (ranked.index(product_id) + 1) if product_id in ranked else 0.0
        out[f"MRR {mode}"] = round(reciprocal / len(chosen), 4)
    return out


def main() -> None:
    """Measure and write benchmarks/results/quality_fashion.json."""
    result = {"text": text_quality(), "photo": photo_quality()}
    path = write_result("quality_fashion", result)
    for key, value in result["text"].items():
        print(f"{key:14s} " + "  ".join(f"{k}={v:.3f}" for k, v in value.items()))
    print(result["photo"])
    print(f"written to {path}")


if __name__ == "__main__":
    main()
