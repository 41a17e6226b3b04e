"""Ingest throughput on a quiet machine: the first 1,000 held-out fashion products (title + one thumbnail each),
and 300 of them as 2400x3000 studio shots (title + one full-size JPEG each, as `benchmarks.studio_catalogue` makes),
decoded at a reduced scale (the default) and whole.

Run: .venv/bin/python -m benchmarks.ingest_speed
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import CACHE, RESULTS, images_dir, test_products
from benchmarks.studio_catalogue import studio_shots
from shopseek.app import ShopSeek
from shopseek.catalog import media
from shopseek.catalog.readers import read_catalog
from shopseek.lab.fashion import write_catalog

COUNT = 1000
STUDIO_COUNT = 300


def timed_ingest(catalog: Path, folder: Path) -> dict[str, float]:
    """Products and images per second of one ingest into a new index."""
    shop = ShopSeek(folder)
    started = time.perf_counter()
    report = shop.ingest(read_catalog(catalog))
    seconds = time.perf_counter() - started
    shop.close()
    return {
        "products": report.added,
        "images": report.images,
        "seconds": round(seconds, 1),
        "products_per_s": round(report.added / seconds, 1),
        "images_per_s": round(report.images / seconds, 1),
    }


def main() -> None:
    """Time both ingests and merge the numbers into benchmarks/results/speed.json."""
    folder = Path(tempfile.mkdtemp())
    catalog = write_catalog(test_products()[:COUNT], images_dir(), folder / "c.jsonl")
    path = RESULTS / "speed.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    result["ingest"] = timed_ingest(catalog, folder / "index")
    with_photos = [p for p in test_products() if p.has_photo]
    shots = studio_shots(with_photos, CACHE / "studio" / "shots-test")
    studio = folder / "studio.jsonl"
    records = [{"id": p.id, "title": p.title, "images": [str(shots / f"{p.id}.jpg")]} for p in with_photos]
    studio.write_text("".join(json.dumps(r) + "\n" for r in records[:STUDIO_COUNT]), encoding="utf-8")
    result["ingest_studio_shots"] = timed_ingest(studio, folder / "studio-index")
    reduced = media.DECODE_SIDE
    media.DECODE_SIDE = 1_000_000  # JPEGs decoded whole, as before reduced-scale decoding
    try:
        result["ingest_studio_shots_decoded_whole"] = timed_ingest(studio, folder / "studio-index-whole")
    finally:
        media.DECODE_SIDE = reduced
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(result)


if __name__ == "__main__":
    main()
