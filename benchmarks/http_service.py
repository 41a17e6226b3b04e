"""HTTP speed over the ~7k-product held-out index: one client's p50/p95, then 20 clients with locust.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python -m benchmarks.http_service
"""

from __future__ import annotations

import csv
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from benchmarks.common import CACHE, ROOT, images_dir, test_index, test_products, write_result
from shopseek.lab.attribute_queries import build_queries

ONE_CLIENT_TEXT = 200
ONE_CLIENT_PHOTO = 100
LOAD_USERS = 20
LOAD_SECONDS = 60


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def latency(samples: list[float]) -> dict[str, float]:
    """p50/p95 in milliseconds."""
    return {
        "p50_ms": round(float(np.percentile(samples, 50)), 1),
        "p95_ms": round(float(np.percentile(samples, 95)), 1),
    }


def one_client(base: str, queries: list[str], photos: list[Path]) -> dict[str, dict[str, float]]:
    """Sequential requests from one client over HTTP."""
    text_ms, photo_ms = [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/search", params={"q": "warm up"})
        for query in queries[:ONE_CLIENT_TEXT]:
            started = time.perf_counter()
            client.get("/search", params={"q": query, "k": 20}).raise_for_status()
            text_ms.append((time.perf_counter() - started) * 1000)
        for photo in photos[:ONE_CLIENT_PHOTO]:
            started = time.perf_counter()
            files = {"image": ("p.jpg", photo.read_bytes(), "image/jpeg")}
            client.post("/search", files=files, data={"k": "20"}).raise_for_status()
            photo_ms.append((time.perf_counter() - started) * 1000)
    return {"text": latency(text_ms), "photo": latency(photo_ms)}


def load_run(base: str, queries: list[str], photos: list[Path]) -> dict[str, object]:
    """20 locust users for a minute; throughput, p95 and failures per request kind."""
    work = Path(tempfile.mkdtemp())
    (work / "queries.txt").write_text("\n".join(queries))
    (work / "photos.txt").write_text("\n".join(str(p) for p in photos))
    env = {
        **os.environ,
        "SHOPSEEK_BENCH_QUERIES": str(work / "queries.txt"),
        "SHOPSEEK_BENCH_PHOTOS": str(work / "photos.txt"),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        "-u",
        str(LOAD_USERS),
        "-r",
        str(LOAD_USERS),
        "-t",
        f"{LOAD_SECONDS}s",
        "--host",
        base,
        "--csv",
        str(work / "load"),
        "--only-summary",
    ]
    subprocess.run(command, env=env, check=False, capture_output=True)
    rows = list(csv.DictReader((work / "load_stats.csv").open()))
    out: dict[str, object] = {"users": LOAD_USERS, "seconds": LOAD_SECONDS}
    for row in rows:
        out[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
        }
    return out


def main() -> None:
    """Serve the benchmark index, measure, write benchmarks/results/http.json."""
    test_index().close()
    products = test_products()
    queries = [q.text for q in build_queries(products, ONE_CLIENT_TEXT // 2, seed=8)]
    with_photo = sorted(p.id for p in products if p.has_photo)
    photos = [images_dir() / "images_224" / f"{pid}.jpg" for pid in random.Random(9).sample(with_photo, 100)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "shopseek"), "serve", "--index", str(CACHE / "fashion-test"), "--port", str(port)]
    )
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        result = {
            "catalogue": len(products),
            "one_client": one_client(base, queries, photos),
            "load": load_run(base, queries, photos),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    path = write_result("http", result)
    print(result)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
