"""Ingest throughput on a quiet machine: the first 1,000 held-out fashion products (title + one thumbnail each).

Run: .venv/bin/python -m benchmarks.ingest_speed
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import RESULTS, images_dir, test_products
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.lab.fashion import write_catalog

COUNT = 1000


def main() -> None:
    """Time one ingest and merge the numbers into benchmarks/results/speed.json."""
    folder = Path(tempfile.mkdtemp())
    catalog = write_catalog(test_products()[:COUNT], images_dir(), folder / "c.jsonl")
    shop = ShopSeek(folder / "index")
    started = time.perf_counter()
    report = shop.ingest(read_catalog(catalog))
    seconds = time.perf_counter() - started
    path = RESULTS / "speed.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    result["ingest"] = {
        "products": report.added,
        "images": report.images,
        "seconds": round(seconds, 1),
        "products_per_s": round(report.added / seconds, 1),
        "images_per_s": round(report.images / seconds, 1),
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(result["ingest"])


if __name__ == "__main__":
    main()
