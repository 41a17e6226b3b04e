"""Compression on the held-out fashion split: SQ8 vectors and the int8 (ONNX) image encoder against full precision.

For each variant: nDCG@10 of words (default path, per language), photo → product MRR, vector bytes per product,
image encoding throughput and search latency.
Run: .venv/bin/python -m benchmarks.compression   (reuses fashion-test; builds an int8 copy on first run, ~3 min)
"""

from __future__ import annotations

import random
import shutil
import time

import faiss
import numpy as np
from PIL import Image

from benchmarks.common import CACHE, images_dir, test_index, test_products, write_result
from benchmarks.speed import percentiles
from shopseek.app import ShopSeek
from shopseek.config import Settings
from shopseek.eval.metrics import evaluate
from shopseek.index.snapshots import PRINCIPAL_DIRECTIONS
from shopseek.index.vectors import Compression, principal_directions
from shopseek.lab.attribute_queries import build_queries, qrels_for
from shopseek.search.engine import Query

QUERY_PAIRS = 150
PHOTOS = 300
ENCODE_IMAGES = 256
TEXT_TRIED = 256  # the text space keeps every direction; what keeping 256 would give


def sq8_copy(source: str, target: str, compression: Compression = "sq8") -> ShopSeek:
    """A copy of a benchmark index whose vectors are re-laid out as 8-bit codes (or sq8-pca)."""
    folder = CACHE / target
    if not (folder / "catalog.sqlite").exists():
        shutil.copytree(CACHE / source, folder)
        shop = ShopSeek(folder)
        shop.settings.vector_compression = compression
        shop.save()
        shop.close()
    return ShopSeek(folder)


def measure(shop: ShopSeek) -> dict[str, object]:
    """Quality, size and speed of one index variant."""
    products = test_products()
    queries = build_queries(products, QUERY_PAIRS, seed=1)
    qrels = qrels_for(queries, products)
    run, latency = {}, []
    for query in queries:
        started = time.perf_counter()
        hits = shop.search(Query(query.text, k=100)).hits
        latency.append((time.perf_counter() - started) * 1000)
        run[query.qid] = {hit.product.id: hit.score for hit in hits}
    ndcg = {}
    for language in ("all", "en", "zh"):
        subset = [q.qid for q in queries if language in ("all", q.language)]
        ndcg[language] = round(evaluate({q: qrels[q] for q in subset}, {q: run[q] for q in subset}, ["nDCG@10"])[
            "nDCG@10"], 4)  # fmt: skip
    photos = random.Random(3).sample(sorted(p.id for p in products if p.has_photo), PHOTOS)
    reciprocal, photo_latency = 0.0, []
    for product_id in photos:
        photo = Image.open(images_dir() / "images_224" / f"{product_id}.jpg").convert("RGB")
        started = time.perf_counter()
        ranked = [hit.product.id for hit in shop.search(Query(image=photo, k=100, signals=frozenset({"image"}))).hits]
        photo_latency.append((time.perf_counter() - started) * 1000)
        reciprocal += 1.0 / (ranked.index(product_id) + 1) if product_id in ranked else 0.0
    snapshot, _ = shop.snapshots.current()
    vector_bytes = sum(path.stat().st_size for path in snapshot.glob("*.faiss"))
    sample = [Image.open(images_dir() / "images" / f"{p.id}.jpg").convert("RGB") for p in products[:ENCODE_IMAGES]]
    started = time.perf_counter()
    shop.encoder.encode_images(sample)
    encode_seconds = time.perf_counter() - started
    return {
        "words_ndcg@10": ndcg,
        "photo_mrr": round(reciprocal / len(photos), 4),
        "vector_bytes_per_product": round(vector_bytes / shop.count()),
        "images_encoded_per_s": round(len(sample) / encode_seconds, 1),
        "words_latency": percentiles(latency),
        "photo_latency": percentiles(photo_latency),
    }


def projection_recall(shop: ShopSeek) -> dict[str, float]:
    """Per space sq8-pca projects (and the text space, which it keeps whole): recall@10 of the projected vectors
    (full precision) against the full ones, for word queries (the products' own image vectors in the spaces a photo
    searches)."""
    products = test_products()
    texts = [query.text for query in build_queries(products, QUERY_PAIRS, seed=1)]
    pictured = [p.id for p in products if p.has_photo][:PHOTOS]
    words = shop.encoder.encode_texts(texts, "query")
    heads = shop.encoder.cross_modal
    assert heads is not None
    _, images = shop.indexes.image.vectors(np.array([shop.store.key_of(i) for i in pictured], dtype=np.int64))
    asked = [
        ("image", images, PRINCIPAL_DIRECTIONS["image"]),
        ("joint_text", heads.image(images), PRINCIPAL_DIRECTIONS["joint_text"]),
        ("joint_image", heads.text(words), PRINCIPAL_DIRECTIONS["joint_image"]),
        ("visual_words", words, PRINCIPAL_DIRECTIONS["visual_words"]),
        ("text", words, TEXT_TRIED),
    ]
    recall = {}
    for name, queries, directions in asked:
        _, vectors = getattr(shop.indexes, name).export()
        transform = principal_directions(vectors, directions or vectors.shape[1])
        full = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
        kept = faiss.knn(transform.apply(queries), transform.apply(vectors), 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
        applied = "kept" if PRINCIPAL_DIRECTIONS[name] else "not applied"
        recall[f"{name} ({directions} of {vectors.shape[1]}, {applied})"] = round(
            float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(kept, full, strict=True)])), 3
        )
    return recall


def main() -> None:
    """Measure every variant and write benchmarks/results/compression.json."""
    int8 = Settings(encoder_options={"image_runtime": "onnx-int8"})
    variants = {
        "float32 (default)": lambda: test_index(),
        "SQ8 vectors": lambda: sq8_copy("fashion-test", "fashion-test-sq8"),
        "SQ8 + principal directions (sq8-pca)": lambda: sq8_copy("fashion-test", "fashion-test-sq8-pca", "sq8-pca"),
        "int8 image encoder": lambda: test_index("fashion-test-int8", settings=int8),
        "SQ8 + int8 image encoder": lambda: sq8_copy("fashion-test-int8", "fashion-test-int8-sq8"),
    }
    result: dict[str, object] = {}
    for name, open_index in variants.items():
        shop = open_index()
        shop.search(Query("warm up"))
        result[name] = measure(shop)
        print(name, result[name], flush=True)
        shop.close()
    shop = test_index()
    result["principal directions: recall@10 vs full vectors"] = projection_recall(shop)
    shop.close()
    print(write_result("compression", result))


if __name__ == "__main__":
    main()
