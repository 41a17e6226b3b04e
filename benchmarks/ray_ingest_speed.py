"""Ray Data ingest with 1 and 2 embedding workers on a local cluster: held-out products per second.

Run: .venv/bin/python -m benchmarks.ray_ingest_speed   (needs ../shared/data; ~4 minutes on 2 cores)
"""

from __future__ import annotations

import shutil
import time

from benchmarks.common import CACHE, images_dir, test_products, write_result
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.cluster.ray_ingest import ray_ingest
from shopseek.lab.fashion import write_catalog

PRODUCTS = 600


def main() -> None:
    """Ingest the same products with 1 then 2 workers (fresh cluster and index each time)."""
    import ray

    products = test_products()[:PRODUCTS]
    catalog = write_catalog(products, images_dir(), CACHE / "ray-ingest.jsonl", text=True)
    result: dict[str, object] = {"products": len(products), "cores": 2}
    for workers in (1, 2):
        folder = CACHE / f"ray-ingest-{workers}"
        shutil.rmtree(folder, ignore_errors=True)
        shop = ShopSeek(folder)
        started = time.perf_counter()
        report = ray_ingest(shop, read_catalog(catalog), "local", workers=workers)
        seconds = time.perf_counter() - started
        ray.shutdown()
        result[f"{workers} worker(s)"] = {
            "seconds": round(seconds, 1),
            "products_per_s": round(report.added / seconds, 1),
            "images": report.images,
        }
        print(workers, result[f"{workers} worker(s)"], flush=True)
        shop.close()
    print(write_result("ray_ingest", result))


if __name__ == "__main__":
    main()
