"""A catalogue of COUNT products (default 1,000,000) that serves searches while writes stream in.

Realistic vectors without encoding a million products: the fashion dev split's real products (titles, attributes
and every vector space, as `benchmarks.quality_fashion` indexed them) are the seeds; each synthetic product copies a
seed's words plus one word of another seed and a model code, and the seed's vectors moved by noise. Products go in
through `ShopSeek.write_encoded`, the writing half of ingest (store + journal + every index), so the encoders' cost
is left out here; it is measured per stage in `benchmarks.speed`.

Measured: build rate; word-search latency (the query's vectors taken from seeds, so the encoder is left out) with
no writes and while 50 writes/s stream in; time until a written product is found by its own words; resident memory
per product; time to reopen after `kill -9` of a process that was writing.

Run: .venv/bin/python -m benchmarks.live_scale [COUNT]   (needs the fashion-dev cache of benchmarks.quality_fashion)
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks.common import CACHE, write_result
from shopseek.app import IngestReport, ShopSeek
from shopseek.catalog.schema import Product
from shopseek.index.snapshots import VECTOR_FILES
from shopseek.pipeline import EncodedBatch
from shopseek.search.engine import Query

SEEDS = CACHE / "fashion-dev"
BATCH = 2_000
WRITES_PER_S = 50
SEARCHES = 300
NOISE = 0.08


class Seeds:
    """The real products and vectors synthetic ones are made from."""

    def __init__(self) -> None:
        shop = ShopSeek(SEEDS)
        keys, self.text = shop.indexes.text.export()
        stored = shop.store.get_many(keys.tolist())
        self.products = [stored[int(k)].product for k in keys]
        self.image = shop.indexes.image.vectors(keys)[1]
        self.visual_words = shop.indexes.visual_words.vectors(keys)[1]
        shop.close()
        if len(self.image) != len(keys) or len(self.visual_words) != len(keys):
            raise SystemExit("every seed needs a photo: rebuild the fashion-dev cache")

    def batch(self, start: int, size: int, rng: np.random.Generator) -> EncodedBatch:
        """Synthetic products start … start+size-1 with their vectors."""
        rows = rng.integers(0, len(self.products), size)
        other = rng.integers(0, len(self.products), size)
        products = []
        for n, (row, extra) in enumerate(zip(rows, other, strict=True)):
            seed = self.products[row]
            word = self.products[extra].title.split()[-1]
            title = f"{seed.title} {word} M{start + n:07d}"
            update = {"id": f"s{start + n}", "title": title, "images": [], "price": float(rng.integers(5, 500))}
            products.append(seed.model_copy(update=update))
        return EncodedBatch(
            products=products,
            copies=[[] for _ in products],
            text_vectors=moved(self.text[rows], rng),
            has_text=[True] * size,
            image_vectors=moved(self.image[rows], rng),
            visual_words=moved(self.visual_words[rows], rng),
            has_image=[True] * size,
            images=size,
            read=size,
        )


def moved(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors near the given ones."""
    out = vectors + NOISE * rng.standard_normal(vectors.shape).astype(np.float32) / np.sqrt(vectors.shape[1])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / max in ms."""
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 1),
        "p95_ms": round(float(np.percentile(samples, 95)), 1),
        "max_ms": round(max(samples), 1),
    }


def main() -> None:
    """Build, serve while writing, measure; write benchmarks/results/live_scale.json."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
    folder = CACHE / f"live-{count}"
    seeds = Seeds()
    rng = np.random.default_rng(0)
    before = rss_mb()
    shop = ShopSeek(folder)
    started, held = time.perf_counter(), shop.count()
    for start in range(held, count, BATCH):
        shop.write_encoded(seeds.batch(start, min(BATCH, count - start), rng), IngestReport())
        if (start // BATCH) % 50 == 0:
            print(f"{start + BATCH} products, {time.perf_counter() - started:.0f} s, {rss_mb():.0f} MB", flush=True)
    shop.save()
    build_s = time.perf_counter() - started
    result: dict[str, object] = {"products": shop.count(), "build_s": round(build_s, 1)}
    if count > held:
        result["build_products_per_s"] = round((count - held) / build_s)
    result["memory_mb"] = round(rss_mb() - before)
    result["memory_bytes_per_product"] = round((rss_mb() - before) * 1e6 / shop.count())
    result["index_card"] = shop.index_card()
    print(json.dumps(result, indent=2), flush=True)
    write_result(f"live_scale_{count}", result)


if __name__ == "__main__":
    main()
