"""The live server under abuse: a mixed load with writes, poisoning without tokens, huge photos, kill -9 recovery.

Starts `shopseek serve` (real models) over the 100 DummyJSON products in a fresh folder, then measures:
- 60 s of 16 searching clients plus a writer (about 3% of requests are writes): status codes, 5xx count;
- events and personal searches as another shopper without their token: status codes (all must be refused);
- `/healthz` latency while 8 clients upload 6000x6000 photos at once;
- kill -9 in a stream of writes, three times: acknowledged writes lost, and seconds until `/healthz` is 200 again.

Run: .venv/bin/python -m benchmarks.robustness   (needs ../shared/data; about 6 minutes)
"""

from __future__ import annotations

import io
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from PIL import Image

from benchmarks.common import CACHE, write_result
from benchmarks.general import catalogue, dummyjson_rows

KEY = "bench-key"
QUERIES = ["phone", "手机", "laptop", "笔记本电脑", "perfume", "香水", "sofa", "沙发", "red dress", "watch", "lamp"]
LOAD_SECONDS = 60
SEARCH_CLIENTS = 16


def start(index: Path, port: int) -> subprocess.Popen[bytes]:
    """`shopseek serve` in a child process, with writes on and generous rate limits for the load test."""
    env = {**os.environ, "SHOPSEEK_API_KEY": KEY, "SHOPSEEK_SEARCHES_PER_S": "100000"}
    command = [sys.executable, "-m", "shopseek.cli", "serve", "--index", str(index), "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_healthy(port: int, timeout: float = 300) -> float:
    """Seconds until `/healthz` answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


def first_response(port: int, timeout: float = 300) -> float:
    """The moment `/healthz` first answers at all (200, or 503 while recovering)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return time.perf_counter()
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("server did not answer")


def mixed_load(base: str) -> dict[str, object]:
    """16 searching clients and one writer for LOAD_SECONDS; every status code counted."""
    codes: Counter[str] = Counter()
    stop = time.perf_counter() + LOAD_SECONDS
    lock = threading.Lock()

    def searcher(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < stop:
                try:
                    code = str(client.get("/search", params={"q": rng.choice(QUERIES)}).status_code)
                except httpx.HTTPError as error:
                    code = type(error).__name__
                with lock:
                    codes[f"search {code}"] += 1

    def writer() -> None:
        number = 0
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {KEY}"}) as client:
            while time.perf_counter() < stop:
                number += 1
                product = {"id": f"load-{number}", "title": f"Load test wool scarf {number}", "price": number}
                try:
                    code = str(client.post("/products", json=product).status_code)
                    if number % 3 == 0:
                        client.delete(f"/products/load-{number}")
                except httpx.HTTPError as error:
                    code = type(error).__name__
                with lock:
                    codes[f"write {code}"] += 1
                time.sleep(0.2)

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(SEARCH_CLIENTS)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(codes.values())
    writes = sum(n for key, n in codes.items() if key.startswith("write"))
    failed = sum(n for key, n in codes.items() if not key.split()[1].isdigit() or key.split()[1].startswith("5"))
    return {"requests": total, "write_share": round(writes / total, 3), "codes": dict(codes), "5xx_or_failed": failed}


def poisoning(base: str) -> dict[str, object]:
    """Events, personal searches and recommendations as someone else's shopper id, without their token."""
    with httpx.Client(base_url=base, timeout=30) as victim:
        user = victim.post("/sessions").json()["user_id"]
    codes: Counter[int] = Counter()
    with httpx.Client(base_url=base, timeout=30) as attacker:
        for n in range(20):
            event = {"user_id": user, "product_id": f"dj-{n + 1}", "type": "purchase", "query": "phone"}
            codes[attacker.post("/events", json=event).status_code] += 1
            codes[attacker.get("/search", params={"q": "phone", "user": user}).status_code] += 1
            codes[attacker.get(f"/users/{user}/recommendations").status_code] += 1
    return {"attempts": sum(codes.values()), "codes": dict(codes), "accepted": codes.get(200, 0)}


def huge_photo() -> bytes:
    """A 6000x6000 PNG (36 million pixels, small on the wire)."""
    image = Image.new("RGB", (6000, 6000), (230, 230, 230))
    image.paste((200, 30, 40), (2000, 2000, 4000, 4000))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def healthz_under_huge_uploads(base: str) -> dict[str, object]:
    """`/healthz` latency, probed every 50 ms while 8 clients upload huge photos at once."""
    photo = huge_photo()
    codes: Counter[int] = Counter()
    latencies: list[float] = []
    done = threading.Event()

    def upload() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(2):
                response = client.post("/search", files={"image": ("big.png", photo, "image/png")}, data={"q": ""})
                codes[response.status_code] += 1

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not done.is_set():
                started = time.perf_counter()
                client.get("/healthz")
                latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    uploads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in uploads:
        thread.start()
    for thread in uploads:
        thread.join()
    done.set()
    prober.join()
    latencies.sort()
    return {
        "uploads": dict(codes),
        "healthz_probes": len(latencies),
        "healthz_p50_ms": round(statistics.median(latencies), 1),
        "healthz_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "healthz_max_ms": round(latencies[-1], 1),
    }


def kill_runs(index: Path, port: int, runs: int = 3) -> list[dict[str, float]]:
    """kill -9 while a writer streams products; lost acknowledged writes and time to healthy after restart."""
    out: list[dict[str, float]] = []
    for run in range(runs):
        server = start(index, port)
        wait_healthy(port)
        acknowledged: list[str] = []
        stop = threading.Event()

        def writer(run: int = run, stop: threading.Event = stop, acknowledged: list[str] = acknowledged) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {KEY}"}) as c:
                number = 0
                while not stop.is_set():
                    number += 1
                    product = {"id": f"kill{run}-{number}", "title": f"Kill run {run} sweater {number}"}
                    try:
                        if c.post("/products", json=product, timeout=10).status_code == 200:
                            acknowledged.append(product["id"])
                    except httpx.HTTPError:
                        return

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(15)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for thread in threads:
            thread.join()
        restarted = start(index, port)
        started = time.perf_counter()
        first_answer = first_response(port) - started
        wait_healthy(port)
        healthy = time.perf_counter() - started
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            lost = [pid for pid in acknowledged if client.get(f"/products/{pid}").status_code != 200]
        restarted.terminate()
        restarted.wait(timeout=60)
        out.append(
            {
                "acknowledged": len(acknowledged),
                "lost": len(lost),
                "seconds_to_first_answer": round(first_answer, 1),
                "seconds_to_healthy": round(healthy, 1),
            }
        )
        print(out[-1], flush=True)
    return out


def main() -> None:
    """Build the shop, run every probe and write benchmarks/results/robustness.json."""
    import json
    import shutil

    from shopseek.cli import ingest_catalog

    index = CACHE / "robustness" / "index"
    shutil.rmtree(index.parent, ignore_errors=True)
    index.parent.mkdir(parents=True)
    records = index.parent / "dummyjson.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in catalogue(dummyjson_rows(), "title+description+images")))
    ingest_catalog(records, index)
    port = 8765
    server = start(index, port)
    try:
        wait_healthy(port)
        base = f"http://127.0.0.1:{port}"
        result: dict[str, object] = {"mixed_load": mixed_load(base)}
        print(result, flush=True)
        result["poisoning_without_token"] = poisoning(base)
        result["healthz_under_huge_uploads"] = healthz_under_huge_uploads(base)
        print(result, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    result["kill_9"] = kill_runs(index, port)
    print(write_result("robustness", result))


if __name__ == "__main__":
    main()
