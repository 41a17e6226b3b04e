"""Codes for the image space: what each FAISS code costs in photo search and colour, and the bytes it saves.

The image space (EfficientNet-Lite0's 1,280-d features joined by a 77-d colour histogram) is the largest at a
million products: 1,357 bytes per product as 8-bit codes. Each variant is trained on the fashion test split's own
image vectors (as a shop's index trains its codes), then scored by brute force over the decoded vectors:
photo → product MRR (500 224 px photos against the 60x80 thumbnails, as in the quality section) and, for 20 colour
words, how much of the top 50 by colour (the colour part of the same vectors) stays the same as with full floats.

Run: .venv/bin/python -m benchmarks.image_codes   (reuses the fashion-test index; about two minutes)
"""

from __future__ import annotations

import random
from collections import Counter

import faiss
import numpy as np
from PIL import Image

from benchmarks.common import images_dir, test_index, test_products, write_result
from shopseek.index.vectors import PCA_SAMPLE, principal_directions

PHOTOS = 500
COLOURS = 20
TOP = 50
VARIANTS = ("SQ8", "SQ6", "SQ4", "PCA512,SQ8", "PCA256,SQ8", "PQ170", "PQ85")  # PCA: principal_directions, uncentred


def decoded(vectors: np.ndarray, factory: str) -> tuple[np.ndarray, int]:
    """The vectors after encoding and decoding with a FAISS code, and the code's bytes per vector."""
    padded = vectors
    if factory.startswith("PQ"):  # product quantisation splits the vector evenly: pad 1,357 to 1,360
        padded = np.zeros((len(vectors), 1360), np.float32)
        padded[:, : vectors.shape[1]] = vectors
    if factory.startswith("PCA"):  # as the index's sq8-pca layout: an uncentred projection, then 8-bit codes
        dims = int(factory[3:].split(",")[0])
        codes = faiss.IndexScalarQuantizer(dims, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        index = faiss.IndexPreTransform(principal_directions(vectors[:PCA_SAMPLE], dims), codes)
    else:
        index = faiss.index_factory(padded.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    if factory.startswith("PQ"):
        faiss.downcast_index(index).pq.cp.min_points_per_centroid = 16  # 7,248 vectors train 256 centroids
    index.train(padded)
    index.add(padded)
    return index.reconstruct_n(0, len(padded))[:, : vectors.shape[1]], int(index.sa_code_size())


def photo_mrr(catalogue: np.ndarray, photos: np.ndarray, targets: np.ndarray) -> float:
    """Mean reciprocal rank of each photo's own product among the catalogue's vectors."""
    scores = photos @ catalogue.T
    ranks = (scores > scores[np.arange(len(photos)), targets][:, None]).sum(axis=1)
    return round(float(np.mean(1.0 / (ranks + 1))), 4)


def colour_overlap(catalogue: np.ndarray, exact: np.ndarray, colours: np.ndarray) -> float:
    """Mean share of each colour query's top products by full-precision vectors that the decoded ones keep."""
    truth, found = exact @ colours.T, catalogue @ colours.T
    kept = [
        len(set(np.argsort(-truth[:, c])[:TOP].tolist()) & set(np.argsort(-found[:, c])[:TOP].tolist())) / TOP
        for c in range(len(colours))
    ]
    return round(float(np.mean(kept)), 3)


def recall_at_10(catalogue: np.ndarray, exact: np.ndarray) -> float:
    """Recall@10 of brute force over the decoded vectors against full floats, 200 catalogue vectors as queries (what
    the index card records for a space, before any IVF lists)."""
    rows = np.random.default_rng(0).choice(len(exact), 200, replace=False)
    truth = np.argsort(-(exact[rows] @ exact.T), axis=1)[:, :10]
    found = np.argsort(-(exact[rows] @ catalogue.T), axis=1)[:, :10]
    return round(float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])), 3)


def main() -> None:
    """Score every variant; write benchmarks/results/image_codes.json."""
    shop = test_index()
    keys, vectors = shop.indexes.image.export()
    row_of = {int(key): row for row, key in enumerate(keys)}
    products = test_products()
    chosen = random.Random(3).sample(sorted(p.id for p in products if p.has_photo), PHOTOS)
    folder = images_dir() / "images_224"
    photos = shop.encoder.encode_images([Image.open(folder / f"{pid}.jpg").convert("RGB") for pid in chosen])
    targets = np.array([row_of[shop.store.key_of(pid) or -1] for pid in chosen])
    names = [name for name, _ in Counter(p.colour.lower() for p in products if p.colour).most_common(COLOURS)]
    colours = np.stack([q for name in names if (q := shop.encoder.colour_query([name])) is not None])
    result: dict[str, dict] = {
        "float32": {
            "bytes": 4 * vectors.shape[1],
            "photo_mrr": photo_mrr(vectors, photos, targets),
            "colour": 1.0,
            "recall_at_10": 1.0,
        }
    }
    for factory in VARIANTS:
        catalogue, size = decoded(vectors, factory)
        result[factory] = {
            "bytes": size,
            "photo_mrr": photo_mrr(catalogue, photos, targets),
            "colour": colour_overlap(catalogue, vectors, colours),
            "recall_at_10": recall_at_10(catalogue, vectors),
        }
        print(factory, result[factory], flush=True)
    shop.close()
    print(write_result("image_codes", {"vectors": len(vectors), "colour_words": names, "variants": result}))


if __name__ == "__main__":
    main()
