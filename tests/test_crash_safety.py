"""Crash safety: acknowledged writes survive a crash (no checkpoint, or SIGKILL of the server) and indexes agree."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.schema import Product
from shopseek.encoders.base import ENCODERS
from shopseek.search.engine import Query


def ids(shop: ShopSeek, text: str) -> list[str]:
    return [hit.product.id for hit in shop.search(Query(text, k=10)).hits]


def test_searches_run_while_a_checkpoint_is_written_and_its_relayout_swaps_in_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopseek.index import vectors
    from shopseek.index.snapshots import Snapshots

    monkeypatch.setattr(vectors, "EXACT_LIMIT", 100)  # the next snapshot re-lays the spaces out as IVF
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    colours = ("red", "blue", "green", "black")
    shop.add_products([Product(id=f"p{n}", title=f"{colours[n % 4]} cotton shirt {n}") for n in range(200)])
    writing, release = threading.Event(), threading.Event()
    write = Snapshots.write

    def slow_write(self: Snapshots, *args: object, **kwargs: object) -> object:
        writing.set()
        release.wait(60)
        return write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Snapshots, "write", slow_write)
    saver = threading.Thread(target=shop.save)
    saver.start()
    assert writing.wait(60)
    assert ids(shop, "red cotton shirt 4")[0] == "p4"  # a search does not wait for the snapshot
    writer = threading.Thread(target=lambda: shop.add_products([Product(id="late", title="purple velvet scarf")]))
    writer.start()  # a write waits for it: the snapshot is a cut of the journal
    release.set()
    saver.join(60)
    writer.join(60)
    assert shop.indexes.text.kind == "ivf"  # swapped in whole, then the write landed in it
    assert ids(shop, "purple velvet scarf")[0] == "late" and shop.indexes.text.count() == shop.count() == 201
    shop.close()
    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    assert reopened.recovered == 1  # the write after the snapshot's cut, from the journal
    assert ids(reopened, "purple velvet scarf")[0] == "late" and reopened.indexes.text.count() == 201


def test_writes_without_a_checkpoint_are_replayed_on_open(fake_shop: ShopSeek) -> None:
    fake_shop.add_products([Product(id="n1", title="Purple velvet hat"), Product(id="n2", title="Orange scarf")])
    assert fake_shop.delete("p2")
    folder = fake_shop.folder
    fake_shop.close()  # no save(): as if the process died here

    reopened = ShopSeek(folder, encoder=ENCODERS["fake"]())
    assert reopened.recovered == 3
    assert ids(reopened, "velvet hat")[0] == "n1"
    assert "p2" not in ids(reopened, "blue denim jeans")
    assert reopened.indexes.text.count() == reopened.count() - 1  # p5 has no text
    again = ShopSeek(folder, encoder=ENCODERS["fake"]())
    assert again.recovered == 0
    reopened.close()
    again.close()


def test_replay_takes_vectors_from_the_journal_without_encoding(fake_shop: ShopSeek) -> None:
    fake_shop.add_products([Product(id="n1", title="Purple velvet hat", images=[])])
    before = fake_shop.indexes.text.vector(fake_shop.store.key_of("n1") or 0)
    folder = fake_shop.folder
    fake_shop.close()  # no save()

    encoder = ENCODERS["fake"]()
    encoder.encode_texts = lambda *_: pytest.fail("recovery encoded a product the journal carried")  # type: ignore[method-assign]
    reopened = ShopSeek(folder, encoder=encoder)
    assert reopened.recovered == 1
    key = reopened.store.key_of("n1") or 0
    assert reopened.indexes.text.vector(key) == pytest.approx(before, abs=1e-3)  # float16 in the journal
    assert reopened.store.journal_vectors(0) == {}  # the snapshot taken after replay holds them: journal trimmed
    reopened.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index: Path, port: int, key: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "shopseek.cli", "serve", "--index", str(index), "--port", str(port)]
    server = subprocess.Popen(command, env={**os.environ, "SHOPSEEK_API_KEY": key}, stdout=subprocess.DEVNULL)
    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.25)
    server.kill()
    raise RuntimeError("server did not start")


@pytest.mark.models
def test_sigkill_in_a_stream_of_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    index, key, port = tmp_path / "index", "secret", free_port()
    server = start_server(index, port, key)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as client:
            number = 0
            while not stop.is_set():
                number += 1
                product = {"id": f"w{number}", "title": f"Write number {number} wool sweater", "price": number}
                try:
                    response = client.post("/products", json=product, timeout=10)
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    acknowledged.append(product["id"])

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.time() + 60
    while len(acknowledged) < 25 and time.time() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    thread.join()
    assert len(acknowledged) >= 25

    server = start_server(index, port, key)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            missing = [pid for pid in acknowledged if client.get(f"/products/{pid}").status_code != 200]
            assert missing == []
            found = client.get("/search", params={"q": f"Write number {len(acknowledged)} wool", "k": 5}).json()
            assert f"w{len(acknowledged)}" in [r["id"] for r in found["results"]]
            assert client.get("/healthz").json()["products"] >= len(acknowledged)
    finally:
        server.terminate()
        server.wait(timeout=30)
    state = json.loads((index / "CURRENT").read_text())
    assert state["journal"] >= len(acknowledged)
