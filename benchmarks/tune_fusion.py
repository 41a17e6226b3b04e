"""Choose fusion weights on the dev split (never on test): word queries by nDCG@10 averaged over two phrasings
(training-style and shopper-phrased), photo queries by MRR.

Run: .venv/bin/python -m benchmarks.tune_fusion
"""

from __future__ import annotations

import itertools
import random

from PIL import Image

from benchmarks.common import images_dir, split_products, test_index, write_result
from shopseek.config import DEFAULT_WEIGHTS, Signal
from shopseek.eval.metrics import evaluate
from shopseek.lab.attribute_queries import AttributeQuery, build_queries, qrels_for
from shopseek.lab.fashion import FashionProduct
from shopseek.lab.synthetic_queries import queries_for
from shopseek.search.engine import Query

TEXT_GRID = {"lexical": (1.0, 2.0, 3.0), "dense": (0.5, 1.0), "cross_modal": (1.0, 2.0), "match": (0.0, 1.0)}
PHOTO_GRID = {"image_text": (0.0, 0.02, 0.25), "image_cross_modal": (0.0, 0.02, 0.25)}


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
    phrasings = {"training-style": dev_queries(products), "shopper-phrased": build_queries(products, 150, seed=2)}
    qrels = {name: qrels_for(queries, products) for name, queries in phrasings.items()}

    def text_score(weights: dict[str, float], signals: frozenset[Signal] | None = None) -> dict[str, float]:
        scores = {}
        for name, queries in phrasings.items():
            run = {}
            for q in queries:
                hits = shop.search(Query(q.text, k=50, weights=weights, signals=signals)).hits
                run[q.qid] = {h.product.id: h.score for h in hits}
            scores[name] = round(evaluate(qrels[name], run, ["nDCG@10"])["nDCG@10"], 4)
        return {**scores, "mean": round(sum(scores.values()) / len(scores), 4)}

    text_results = {"bm25 alone": text_score(DEFAULT_WEIGHTS, frozenset({"lexical"}))}
    print("bm25 alone", text_results["bm25 alone"], flush=True)
    for values in itertools.product(*TEXT_GRID.values()):
        setting = dict(zip(TEXT_GRID, values, strict=True))
        key = " ".join(f"{k}={v}" for k, v in setting.items())
        text_results[key] = text_score({**DEFAULT_WEIGHTS, **setting})
        print(key, text_results[key], flush=True)
    with_photo = sorted(p.id for p in products if p.has_photo)
    photos = random.Random(5).sample(with_photo, min(200, len(with_photo)))
    loaded = {pid: Image.open(images_dir() / "images_224" / f"{pid}.jpg").convert("RGB") for pid in photos}
    photo_results = {}
    for values in itertools.product(*PHOTO_GRID.values()):
        setting = dict(zip(PHOTO_GRID, values, strict=True))
        weights = {**DEFAULT_WEIGHTS, **setting}
        total = 0.0
        for pid, image in loaded.items():
            ranked = [h.product.id for h in shop.search(Query(image=image, k=50, weights=weights)).hits]
            total += 1 / (ranked.index(pid) + 1) if pid in ranked else 0.0
        key = " ".join(f"{k}={v}" for k, v in setting.items())
        photo_results[key] = round(total / len(loaded), 4)
        print(key, photo_results[key], flush=True)
    best_text = max((k for k in text_results if k != "bm25 alone"), key=lambda k: text_results[k]["mean"])
    best_photo = max(photo_results, key=photo_results.__getitem__)
    result = {
        "split": "dev",
        "text_ndcg@10 (two phrasings, best by their mean)": text_results,
        "photo_mrr": photo_results,
        "best": {"text": best_text, "photo": best_photo},
    }
    print(result["best"])
    print(write_result("tune_fusion", result))


if __name__ == "__main__":
    main()
