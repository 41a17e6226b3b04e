"""Speed on ~7k held-out fashion products: ingest throughput and search latency (p50/p95) for words and photos.

Run: .venv/bin/python -m benchmarks.speed   (needs ../shared/data; reuses the index of benchmarks.quality_fashion)
"""

from __future__ import annotations

import json
import random
import statistics
import time

import numpy as np
from PIL import Image

from benchmarks.common import CACHE, images_dir, test_index, test_products, write_result
from shopseek.lab.attribute_queries import build_queries
from shopseek.search.engine import Query

TEXT_QUERIES = 200
PHOTO_QUERIES = 100


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 1),
        "p95_ms": round(float(np.percentile(samples, 95)), 1),
        "mean_ms": round(statistics.fmean(samples), 1),
    }


def main() -> None:
    """Measure and write benchmarks/results/speed.json."""
    shop = test_index()
    timing = json.loads((CACHE / "fashion-test" / "ingest-timing.json").read_text())
    products = test_products()
    queries = [q.text for q in build_queries(products, TEXT_QUERIES // 2, seed=5)]
    shop.search(Query("warm up"))
    text_ms = []
    for text in queries:
        started = time.perf_counter()
        shop.search(Query(text, k=10))
        text_ms.append((time.perf_counter() - started) * 1000)
    photos = random.Random(4).sample(sorted(p.id for p in products if p.has_photo), PHOTO_QUERIES)
    photo_ms = []
    for product_id in photos:
        image = Image.open(images_dir() / "images_224" / f"{product_id}.jpg").convert("RGB")
        started = time.perf_counter()
        shop.search(Query(image=image, k=10))
        photo_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "catalogue": shop.count(),
        "ingest": {
            **timing,
            "products_per_s": round(timing["products"] / timing["seconds"], 1),
            "images_per_s": round(timing["images"] / timing["seconds"], 1),
        },
        "text_search": percentiles(text_ms),
        "photo_search": percentiles(photo_ms),
    }
    path = write_result("speed", result)
    print(json.dumps(result, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
