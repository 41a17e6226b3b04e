"""A catalogue of COUNT products (default 1,000,000) that serves searches while writes stream in.

Realistic vectors without encoding a million products: the fashion dev split's real products (titles, attributes
and every vector space, as `benchmarks.quality_fashion` indexed them) are the seeds; each synthetic product copies a
seed's words plus one word of another seed and a model code, and the seed's vectors moved by noise. Products go in
through `ShopSeek.write_encoded`, the writing half of ingest (store + journal + every index), so the encoders' cost
is left out here; it is measured per stage in `benchmarks.speed`.

Measured: build rate; word-search latency (the query's vectors taken from seeds, so the encoder is left out) with
no writes and while 50 writes/s stream in; the same while a checkpoint (snapshot) is made beside them, with the
longest a write waited, and while the BM25 delta merges; time until a written product is found by its own words;
resident memory per product; time to reopen after `kill -9` of a process that was writing.

Run: .venv/bin/python -m benchmarks.live_scale [COUNT] [sq8|sq8-pca]   (vector codes, sq8 by default; needs the
fashion-dev cache of benchmarks.quality_fashion; sq8-pca starts from a copy of the sq8 catalogue when there is one)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np

from benchmarks.common import CACHE, split_products, write_result
from shopseek.app import IngestReport, ShopSeek
from shopseek.config import Settings
from shopseek.index.lexical import LexicalIndex
from shopseek.index.vectors import Compression
from shopseek.lab.attribute_queries import build_queries
from shopseek.pipeline import EncodedBatch
from shopseek.search.engine import Query

SEEDS = CACHE / "fashion-dev"
BATCH = 2_000
WRITES_PER_S = 50
SEARCHES = 300
NOISE = 0.5  # a synthetic product's vector sits at cosine ~0.9 from its seed's (not a near-duplicate)


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
            title = f"{seed.title} {word} {model_code(start + n)}"
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
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    out = vectors + NOISE * noise / np.linalg.norm(noise, axis=1, keepdims=True)
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


def queries(count: int, seed: int) -> list[str]:
    """Shopper queries (English and Chinese) written from the fashion dev split's attributes."""
    return [q.text for q in build_queries(split_products("dev"), count // 2, seed=seed)][:count]


def timed_searches(shop: ShopSeek, texts: list[str]) -> list[float]:
    """Latency of each word search (encoder included), in ms."""
    latencies = []
    for text in texts:
        started = time.perf_counter()
        shop.search(Query(text, k=10))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


class Writer(threading.Thread):
    """Streams WRITES_PER_S writes (four new products to one update) and times each until it is searchable."""

    def __init__(self, shop: ShopSeek, seeds: Seeds, first: int) -> None:
        super().__init__(daemon=True)
        self.shop, self.seeds, self.next = shop, seeds, first
        self.stop = threading.Event()
        self.write_ms: list[float] = []
        self.searchable_ms: list[float] = []
        self.rng = np.random.default_rng(1)

    def run(self) -> None:
        while not self.stop.is_set():
            due = time.perf_counter() + 1 / WRITES_PER_S
            number = self.next if len(self.write_ms) % 5 else int(self.rng.integers(0, self.next))
            self.next += 1 if len(self.write_ms) % 5 else 0
            batch = self.seeds.batch(number, 1, self.rng)
            started = time.perf_counter()
            self.shop.write_encoded(batch, IngestReport())
            self.write_ms.append((time.perf_counter() - started) * 1000)
            if len(self.write_ms) % 10 == 0:  # found by its own model code: the lexical path a shopper would use
                while not is_found(self.shop, batch.products[0].id):
                    time.sleep(0.001)
                self.searchable_ms.append((time.perf_counter() - started) * 1000)
            time.sleep(max(0.0, due - time.perf_counter()))


def searches_while(shop: ShopSeek, work: Callable[[], object], seed: int) -> tuple[float, list[float]]:
    """Run `work` on a thread and time word searches until it ends (each worked out, none from the result cache):
    its duration in seconds and the searches' latencies."""
    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    latencies: list[float] = []
    texts = queries(SEARCHES, seed=seed)
    while worker.is_alive():
        shop.engine.forget_results()
        latencies += timed_searches(shop, [texts[len(latencies) % len(texts)]])
    return time.perf_counter() - started, latencies


def checkpoint_during_writes(shop: ShopSeek, seeds: Seeds, first: int) -> dict[str, object]:
    """Searches and 50 writes/s while a snapshot is written beside them: its duration, search latency meanwhile and
    how long writes waited (they wait for the snapshot; searches do not)."""
    writer = Writer(shop, seeds, first=first)
    writer.start()
    time.sleep(1)
    seconds, latencies = searches_while(shop, shop.save, seed=13)
    writer.stop.set()
    writer.join()
    return {
        "snapshot_s": round(seconds, 1),
        "search": percentiles(latencies),
        "searches": len(latencies),
        "write": percentiles(writer.write_ms),
        "longest_write_ms": round(max(writer.write_ms), 1),
    }


def merge_during_searches(shop: ShopSeek) -> dict[str, object]:
    """Searches while the BM25 main segment is rebuilt from every product's tokens (a merge, which large catalogues
    build in a helper process): its duration and search latency meanwhile."""
    seconds, latencies = searches_while(shop, cast(LexicalIndex, shop.indexes.lexical).commit, seed=14)
    return {"merge_s": round(seconds, 1), "search": percentiles(latencies)}


def crash_and_reopen(folder: Path, seconds: float) -> dict[str, object]:
    """A writer process killed with SIGKILL mid-stream; then the time to reopen and whether every write it
    acknowledged is found, and the reopened process's memory."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.live_scale", "--write", str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    acknowledged: list[str] = []
    started = 0.0
    for line in writer.stdout:  # the clock starts at the first acknowledged write (opening the index comes first)
        acknowledged.append(line.strip())
        started = started or time.perf_counter()
        if time.perf_counter() - started > seconds:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    reopened = subprocess.run(
        [sys.executable, "-m", "benchmarks.live_scale", "--reopen", str(folder), *acknowledged[-50:]],
        capture_output=True,
        text=True,
        check=True,
    )
    return {"acknowledged_writes": len(acknowledged), **json.loads(reopened.stdout.splitlines()[-1])}


def clean_open(folder: Path) -> dict[str, object]:
    """Time and memory of opening the index with nothing to replay (recovery's checkpoint left none)."""
    opened = subprocess.run(
        [sys.executable, "-m", "benchmarks.live_scale", "--reopen", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(opened.stdout.splitlines()[-1])


def write_until_killed(folder: Path) -> None:
    """Child process: write products one by one, printing each id once it is acknowledged (durable)."""
    shop, seeds = ShopSeek(folder), Seeds()
    rng, number = np.random.default_rng(2), shop.count() + 10_000_000
    while True:
        batch = seeds.batch(number, 1, rng)
        shop.write_encoded(batch, IngestReport())
        print(batch.products[0].id, flush=True)
        number += 1


def model_code(number: int) -> str:
    """The word only synthetic product `number` carries."""
    return f"M{number:07d}"


def is_found(shop: ShopSeek, product_id: str) -> bool:
    """Whether a search for a synthetic product's model code returns it."""
    hits = shop.search(Query(model_code(int(product_id[1:])), k=5)).hits
    return product_id in {hit.product.id for hit in hits}


def reopen(folder: Path, expected: list[str]) -> None:
    """Child process: open the index (snapshot + journal replay), time it, check the given ids, report memory."""
    baseline = rss_mb()
    ShopSeek(CACHE / "live-empty").close()  # models and dictionaries loaded: what any index costs
    models = rss_mb()
    started = time.perf_counter()
    shop = ShopSeek(folder)
    seconds = time.perf_counter() - started
    found = sum(
        shop.store.key_of(i) is not None and bool(shop.search(Query(i.replace("s", "M"), k=3)).hits) for i in expected
    )
    index_mb = rss_mb() - models
    print(
        json.dumps(
            {
                "reopen_s": round(seconds, 1),
                "replayed": shop.recovered,
                "acknowledged_checked": len(expected),
                "acknowledged_found": found,
                "models_mb": round(models - baseline),
                "index_mb": round(index_mb),
                "index_bytes_per_product": round(index_mb * 1e6 / shop.count()),
            }
        )
    )


def main() -> None:
    """Build, serve while writing, crash and reopen; write benchmarks/results/live_scale_COUNT.json."""
    if sys.argv[1] == "--write":
        return write_until_killed(Path(sys.argv[2]))
    if sys.argv[1] == "--reopen":
        return reopen(Path(sys.argv[2]), sys.argv[3:])
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
    compression = sys.argv[2] if len(sys.argv) > 2 else "sq8"
    if compression not in ("sq8", "sq8-pca"):
        raise SystemExit("codes: sq8 or sq8-pca")
    folder = CACHE / (f"live-{count}" if compression == "sq8" else f"live-{count}-{compression}")
    if not folder.exists() and (CACHE / f"live-{count}").exists():
        shutil.copytree(CACHE / f"live-{count}", folder)  # the same products; the codes change at the next checkpoint
    seeds = Seeds()
    rng = np.random.default_rng(0)
    settings = Settings.load(folder)  # with the versions of the vectors it holds (nothing is re-encoded)
    settings.vector_compression = cast(Compression, compression)
    shop = ShopSeek(folder, settings=settings)
    started, held = time.perf_counter(), shop.count()
    for start in range(held, count, BATCH):
        shop.write_encoded(seeds.batch(start, min(BATCH, count - start), rng), IngestReport())
        shop._checkpoint_if_due()
        if (start // BATCH) % 25 == 0:
            print(f"{start + BATCH} products, {time.perf_counter() - started:.0f} s, {rss_mb():.0f} MB", flush=True)
    shop.save()
    result: dict[str, object] = {"products": shop.count(), "vector_compression": compression}
    if count > held:
        result["build_products_per_s"] = round((count - held) / (time.perf_counter() - started))
    shop.search(Query("warm up"))
    result["search_without_writes"] = percentiles(timed_searches(shop, queries(SEARCHES, seed=11)))
    writer = Writer(shop, seeds, first=count)
    writer.start()
    result["search_during_writes"] = percentiles(timed_searches(shop, queries(SEARCHES, seed=12)))
    writer.stop.set()
    writer.join()
    result["writes"] = {
        "count": len(writer.write_ms),
        "per_s": WRITES_PER_S,
        "write": percentiles(writer.write_ms),
        "searchable_after": percentiles(writer.searchable_ms),
    }
    result["checkpoint_during_writes"] = checkpoint_during_writes(shop, seeds, first=count + writer.next)
    result["merge_during_searches"] = merge_during_searches(shop)
    lexical = shop.indexes.lexical
    result["lexical_delta_after_writes"] = lexical.pending() if isinstance(lexical, LexicalIndex) else None
    result["index_card"] = shop.index_card()
    shop.save()
    shop.close()
    result["kill_9"] = crash_and_reopen(folder, seconds=20)
    result["clean_open"] = clean_open(folder)
    print(json.dumps(result, indent=2), flush=True)
    print(write_result(f"live_scale_{count}" + ("" if compression == "sq8" else f"_{compression}"), result))


if __name__ == "__main__":
    main()
