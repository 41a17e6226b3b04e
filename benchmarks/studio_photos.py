"""Photos at any size: full-size studio shots (a product small on a large light-grey backdrop) against the
catalogue's 60x80 thumbnails, with and without cutting the product's region out first.

Each of 150 fashion dev products with a 224 px photo becomes a 2400x3000 shot: its photo enlarged 4x, white made
the backdrop's grey, placed in the middle. MRR of finding the product among 1,500 dev thumbnails.

Run: .venv/bin/python -m benchmarks.studio_photos   (needs ../shared/data)
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from benchmarks.common import images_dir, split_products, write_result
from shopseek.encoders import offline
from shopseek.encoders.offline import OfflineEncoder

CATALOGUE, QUERIES = 1500, 150


def studio_shot(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The product photo enlarged on a large plain backdrop of a random light grey."""
    grey = int(rng.integers(215, 245))
    canvas = Image.new("RGB", (2400, 3000), (grey, grey, grey))
    large = np.asarray(photo.convert("RGB").resize((photo.width * 4, photo.height * 4), Image.Resampling.BICUBIC))
    large = large.copy()
    large[large.min(axis=2) > 235] = grey
    canvas.paste(Image.fromarray(large), ((2400 - large.shape[1]) // 2, (3000 - large.shape[0]) // 2))
    return canvas


def mrr(
    encoder: OfflineEncoder, catalogue: list[Image.Image], ids: list[str], queries: dict[str, Image.Image]
) -> float:
    """Mean reciprocal rank of each query's own product among the catalogue's image vectors."""
    scores = encoder.encode_images(list(queries.values())) @ encoder.encode_images(catalogue).T
    ranks = [1 + int((row > row[ids.index(pid)]).sum()) for pid, row in zip(queries, scores, strict=True)]
    return round(float(np.mean([1 / r for r in ranks])), 4)


def main() -> None:
    """Measure with and without the product region and write benchmarks/results/studio_photos.json."""
    root = images_dir()
    products = split_products("dev")[:CATALOGUE]
    ids = [p.id for p in products]
    with_photo = [p.id for p in products if p.has_photo]
    chosen = random.Random(5).sample(with_photo, min(QUERIES, len(with_photo)))
    catalogue = [Image.open(root / "images" / f"{pid}.jpg").convert("RGB") for pid in ids]
    photos = {pid: Image.open(root / "images_224" / f"{pid}.jpg").convert("RGB") for pid in chosen}
    rng = np.random.default_rng(0)
    studio = {pid: studio_shot(photo, rng) for pid, photo in photos.items()}
    encoder = OfflineEncoder()
    result: dict[str, object] = {"catalogue": len(ids), "queries": len(chosen)}
    result["product region cut"] = {"224 px photos": mrr(encoder, catalogue, ids, photos)}
    result["product region cut"]["studio shots"] = mrr(encoder, catalogue, ids, studio)  # type: ignore[index]
    region = offline.product_region
    offline.product_region = lambda image: image  # the whole photo, as before
    try:
        result["whole photo"] = {
            "224 px photos": mrr(encoder, catalogue, ids, photos),
            "studio shots": mrr(encoder, catalogue, ids, studio),
        }
    finally:
        offline.product_region = region
    print(result)
    print(write_result("studio_photos", result))


if __name__ == "__main__":
    main()
