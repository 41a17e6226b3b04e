"""Searches, writes and deletes from many threads at once: no errors, and results from some committed state."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.catalog.schema import Product
from shopseek.encoders.base import ENCODERS
from shopseek.index.lexical import LexicalIndex
from shopseek.language import tokenize
from shopseek.search.engine import Query

WRITERS, READERS, ROUNDS = 4, 12, 40


def test_lexical_searches_never_see_a_half_built_index() -> None:
    index = LexicalIndex(tokenize, merge_at=20)  # background merges run while the readers search
    index.add([0], ["red shirt"])
    errors: list[BaseException] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                hits = index.search_tokens(["red"], 5)
                assert hits and hits[0][0] == 0
                jeans = [key for key, _ in index.search_tokens(["jean"], 500)]
                assert len(set(jeans)) == len(jeans)  # never in the delta and the main segment at once
            except BaseException as error:
                errors.append(error)

    readers = [threading.Thread(target=search) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    for key in range(1, 400):
        index.add([key], [f"blue jeans number {key}"])
        if key % 7 == 0:
            index.add([key], [f"black jeans number {key}"])
        if key % 50 == 0:
            index.commit()  # a merge on the writer's own thread too
    stop.set()
    for thread in readers:
        thread.join()
    assert errors == []
    assert len(index.search_tokens(["jean"], 1000)) == 399


def test_many_threads_search_write_and_delete_without_errors(
    tmp_path: Path, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shopseek.app.CHECKPOINT_EVERY", 10)  # checkpoints run in the background meanwhile
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        for n in range(ROUNDS):
            try:
                product = Product(id=f"w{worker}-{n}", title=f"green wool scarf {n}", price=float(n))
                shop.add_products([product])
                if n % 3 == 0:
                    shop.delete(product.id)
            except BaseException as error:
                errors.append(error)

    def read() -> None:
        for _ in range(ROUNDS):
            try:
                hits = shop.search(Query("red shirt", k=3)).hits
                assert hits[0].product.id == "p1"  # untouched by the writers: the same in every committed state
                shop.search(Query("green scarf", k=10))
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    threads += [threading.Thread(target=read) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = {f"w{w}-{n}" for w in range(WRITERS) for n in range(ROUNDS) if n % 3}
    found = {hit.product.id for hit in shop.search(Query("green wool scarf", k=500)).hits} - {"p3"}
    assert found == expected
    shop.close()  # waits for a running checkpoint
    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    assert {hit.product.id for hit in reopened.search(Query("green wool scarf", k=500)).hits} - {"p3"} == expected
    reopened.close()
