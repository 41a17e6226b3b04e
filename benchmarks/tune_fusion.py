"""Choose fusion weights on the dev split (never on test): word queries by nDCG@10, photo queries by MRR.

Run: .venv/bin/python -m benchmarks.tune_fusion
"""

from __future__ import annotations

import itertools
import random

from PIL import Image

from benchmarks.common import images_dir, split_products, test_index, write_result
from shopseek.config import DEFAULT_WEIGHTS
from shopseek.eval.attribute_queries import AttributeQuery, qrels_for
from shopseek.eval.metrics import evaluate
from shopseek.learn.fashion import FashionProduct
from shopseek.learn.synthetic_queries import queries_for
from shopseek.search.engine import Query


def dev_queries(products: list[FashionProduct], count: int = 150) -> list[AttributeQuery]:
    """Training-style (not test-style) queries for attribute combinations of dev products."""
    rng = random.Random(21)
    combos = sorted({(p.article_type, p.colour, p.gender): p for p in products}.items())
    queries = []
    for number, ((kind, colour, gender), product) in enumerate(rng.sample(combos, count)):
        for language, text in zip(("en", "zh"), queries_for(product, 2, seed=500 + number), strict=True):
            queries.append(AttributeQuery(f"{language}{number}", text, language, kind, colour, gender))
    return queries


def main() -> None:
    """Grid-search text and photo weights on dev; write benchmarks/results/tune_fusion.json."""
    products = split_products("dev")
    shop = test_index("fashion-dev", split="dev")
    queries = dev_queries(products)
    qrels = qrels_for(queries, products)
    text_results = {}
    for dense, cross in itertools.product((0.5, 1.0), (0.5, 1.0, 2.0)):
        weights = {**DEFAULT_WEIGHTS, "dense": dense, "cross_modal": cross}
        run = {
            q.qid: {h.product.id: h.score for h in shop.search(Query(q.text, k=50, weights=weights)).hits}
            for q in queries
        }
        text_results[f"dense={dense} cross_modal={cross}"] = round(evaluate(qrels, run, ["nDCG@10"])["nDCG@10"], 4)
        print("text", dense, cross, text_results[f"dense={dense} cross_modal={cross}"], flush=True)
    with_photo = sorted(p.id for p in products if p.has_photo)
    photos = random.Random(5).sample(with_photo, min(200, len(with_photo)))
    folder = images_dir() / "images_224"
    loaded = {pid: Image.open(folder / f"{pid}.jpg").convert("RGB") for pid in photos}
    photo_results = {}
    for side, cross in itertools.product((0.0, 0.25, 0.5), (0.0, 0.25, 0.5)):
        weights = {**DEFAULT_WEIGHTS, "image_text": side, "image_cross_modal": cross}
        total = 0.0
        for pid, image in loaded.items():
            ranked = [h.product.id for h in shop.search(Query(image=image, k=50, weights=weights)).hits]
            total += 1 / (ranked.index(pid) + 1) if pid in ranked else 0.0
        photo_results[f"image_text={side} image_cross_modal={cross}"] = round(total / len(loaded), 4)
        print("photo", side, cross, photo_results[f"image_text={side} image_cross_modal={cross}"], flush=True)
    result = {"split": "dev", "text_ndcg@10": text_results, "photo_mrr": photo_results}
    print(write_result("tune_fusion", result))


if __name__ == "__main__":
    main()
