"""Where search and ingest time goes, per stage, on a quiet machine and on one whose two cores are kept busy.

Each runs in its own process on the fashion test index (7,248 products) with the default settings: the text encoder
per query, the image encoder per photo, the cross-modal heads, the FAISS spaces, a whole word and photo search;
ingest of 300 products (title + one photo) into a new index. "busy" runs two CPU-bound processes beside it, the way
a shared machine is (that is where OpenMP threads spinning against each other once made a word search take 1.4 s).

Run: .venv/bin/python -m benchmarks.stages   (on a quiet machine; needs the cache of benchmarks.quality_fashion)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from benchmarks.common import images_dir, test_index, test_products, write_result
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.lab.attribute_queries import build_queries
from shopseek.lab.fashion import write_catalog
from shopseek.search.engine import Query

BUSY_PROCESSES = 2
QUERIES = 100
PHOTOS = 60
INGESTED = 300
T = TypeVar("T")


def timed(run: Callable[[T], object], items: list[T]) -> dict[str, float]:
    """p50 / p95 in ms of running on each item."""
    samples = []
    for item in items:
        started = time.perf_counter()
        run(item)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 1),
        "p95_ms": round(float(np.percentile(samples, 95)), 1),
    }


def measure() -> dict[str, object]:
    """Every stage with the default settings."""
    shop = test_index()
    products = test_products()
    texts = [q.text for q in build_queries(products, QUERIES // 2, seed=5)]
    ids = sorted(p.id for p in products if p.has_photo)[:PHOTOS]
    photos = [Image.open(images_dir() / "images_224" / f"{i}.jpg").convert("RGB") for i in ids]
    encoder, heads = shop.encoder, shop.encoder.cross_modal
    assert heads is not None
    shop.search(Query("warm up"))
    query_vectors = encoder.encode_texts(texts, "query")
    image_vectors = encoder.encode_images(photos)
    result: dict[str, object] = {
        "text encoder, one query": timed(lambda t: encoder.encode_texts([t], "query"), texts),
        "image encoder, one photo": timed(lambda p: encoder.encode_images([p]), photos),
        "heads, one query": timed(lambda v: heads.text(v[None, :]), list(query_vectors)),
        "FAISS text space": timed(lambda v: shop.indexes.text.search_one(v, 100), list(query_vectors)),
        "FAISS image space": timed(lambda v: shop.indexes.image.search_one(v, 100), list(image_vectors)),
        "word search": timed(lambda t: shop.search(Query(t, k=10)), texts),
        "photo search": timed(lambda p: shop.search(Query(image=p, k=10)), photos),
    }
    shop.close()
    with tempfile.TemporaryDirectory() as folder:
        catalog = write_catalog(products[-INGESTED:], images_dir(), Path(folder) / "c.jsonl")
        fresh = ShopSeek(Path(folder) / "index")
        started = time.perf_counter()
        report = fresh.ingest(read_catalog(catalog))
        result["ingest products/s (title + one photo)"] = round(report.added / (time.perf_counter() - started), 1)
        fresh.close()
    return result


def main() -> None:
    """Measure in a fresh process on a quiet machine, then beside busy processes; write results/stages.json."""
    if sys.argv[1:] == ["--measure"]:
        print(json.dumps(measure()))
        return
    result = {}
    for name, busy in (("quiet", 0), ("busy", BUSY_PROCESSES)):
        burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            command = [sys.executable, "-m", "benchmarks.stages", "--measure"]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        finally:
            for burner in burners:
                burner.kill()
        result[name] = json.loads(output.splitlines()[-1])
        print(name, result[name], flush=True)
    print(write_result("stages", result))


if __name__ == "__main__":
    main()
