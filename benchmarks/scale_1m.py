"""One box, 1,000,000 products: ANN recall@10 against exact search, latency, memory per product, build time.

Synthetic clustered 256-d vectors (the joint space's size). Compares the engine's default large-catalogue
layout (IVF-Flat) with compressed layouts (IVF-SQ8, IVF-PQ with exact re-ranking), and checks that a narrow
filter still returns k results.

Run: .venv/bin/python -m benchmarks.scale_1m [COUNT] [--pq]   (--pq adds IVF-PQ, whose training takes long)
"""

from __future__ import annotations

import sys
import time

import faiss
import numpy as np

from benchmarks.common import write_result
from shopseek.index import vectors
from shopseek.index.vectors import VectorIndex

DIM = 256
QUERIES = 200
K = 10


def clustered(count: int, seed: int) -> np.ndarray:
    """Unit vectors around 2,000 centres, like product embeddings grouped by kind."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((2000, DIM)).astype(np.float32)
    out = np.empty((count, DIM), np.float32)
    for start in range(0, count, 100_000):
        size = min(100_000, count - start)
        block = centres[rng.integers(0, 2000, size)] + 0.7 * rng.standard_normal((size, DIM)).astype(np.float32)
        out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed_search(index: faiss.Index, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Top-k ids per query and each single-query latency in ms."""
    found, latencies = [], []
    for query in queries:
        started = time.perf_counter()
        _, ids = index.search(query[None, :], K)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(ids[0])
    return np.stack(found), latencies


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean overlap of the top-k with the exact top-k."""
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)]))


def main() -> None:
    """Build each layout, measure, write benchmarks/results/scale_1m.json."""
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    count = int(numbers[0]) if numbers else 1_000_000
    faiss.omp_set_num_threads(2)
    data = clustered(count, seed=1)
    queries = data[np.random.default_rng(2).choice(count, QUERIES, replace=False)] + 0.05 * clustered(QUERIES, 3)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(data)
    truth, exact_ms = timed_search(exact, queries)
    lists = vectors.ivf_lists(count)
    layouts = {
        "IVF-Flat (default)": f"IVF{lists},Flat",
        "IVF-SQ8": f"IVF{lists},SQ8",
    }
    if "--pq" in sys.argv:
        layouts["IVF-PQ32 + exact re-rank"] = f"IVF{lists},PQ32,RFlat"
    results: dict[str, object] = {
        "products": count,
        "dim": DIM,
        "exact": {"p50_ms": round(float(np.percentile(exact_ms, 50)), 2), "bytes_per_product": DIM * 4},
    }
    for name, spec in layouts.items():
        started = time.perf_counter()
        index = faiss.index_factory(DIM, spec, faiss.METRIC_INNER_PRODUCT)
        index.train(data[np.random.default_rng(4).choice(count, min(count, 100 * lists), replace=False)])
        index.add(data)
        build_s = time.perf_counter() - started
        faiss.extract_index_ivf(index).nprobe = 48
        if "RFlat" in spec:
            faiss.downcast_index(index).k_factor = 4
        found, latencies = timed_search(index, queries)
        size = faiss.serialize_index(index).size
        results[name] = {
            "recall@10": round(recall(found, truth), 4),
            "p50_ms": round(float(np.percentile(latencies, 50)), 2),
            "p95_ms": round(float(np.percentile(latencies, 95)), 2),
            "bytes_per_product": round(size / count, 1),
            "build_s": round(build_s, 1),
        }
        print(name, results[name], flush=True)
    engine = VectorIndex(DIM)
    engine.add(np.arange(count, dtype=np.int64), data)
    started = time.perf_counter()
    engine = engine.rebuilt_for_size()
    allowed = np.random.default_rng(5).choice(count, 500, replace=False).astype(np.int64)
    filtered = [len(engine.search_one(q, K, allowed)) for q in queries[:20]]
    results["engine VectorIndex"] = {
        "kind": engine.kind,
        "rebuild_s": round(time.perf_counter() - started, 1),
        "filtered_to_500_products_returns_k": all(n == K for n in filtered),
    }
    print(results["engine VectorIndex"])
    print(write_result("scale_1m", results))


if __name__ == "__main__":
    main()
