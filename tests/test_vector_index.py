"""Index backends: the shared contract, and FAISS against a brute-force oracle before and after reload."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.config import Settings
from shopseek.encoders.base import ENCODERS
from shopseek.errors import IndexMismatch
from shopseek.index import vectors
from shopseek.index.lexical import LexicalIndex
from shopseek.index.vectors import VectorIndex
from shopseek.language import tokenize
from shopseek.search.engine import Query
from shopseek.service.api import create_app


def unit_rows(count: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def clustered_rows(count: int, dim: int, seed: int) -> np.ndarray:
    """Unit vectors around 50 centres, the way product embeddings cluster by kind."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, dim))
    rows = centres[rng.integers(0, 50, count)] + 0.6 * rng.standard_normal((count, dim))
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def laid_out(
    data: np.ndarray, keys: np.ndarray, compression: vectors.Compression = "none", directions: int | None = None
) -> VectorIndex:
    """An index of the rows, re-laid out for its size (exact or IVF) and compression."""
    index = VectorIndex(data.shape[1])
    index.add(keys, data)
    return index.rebuilt_for_size(compression, directions)


def recall_against_brute_force(index: VectorIndex, data: np.ndarray, keys: np.ndarray, k: int = 10) -> float:
    queries = data[::100] + 0.05 * unit_rows(len(data[::100]), data.shape[1], seed=99)
    truth = np.argsort(-(queries @ data.T), axis=1)[:, :k]
    found = index.search_many(queries, k)
    hits = sum(len({keys[t] for t in row} & {key for key, _ in got}) for row, got in zip(truth, found, strict=True))
    return hits / (len(queries) * k)


@pytest.mark.parametrize("exact_limit", [100_000, 1_000])
def test_faiss_recall_against_brute_force_before_and_after_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", exact_limit)
    data, keys = clustered_rows(5_000, 32, seed=1), np.arange(10, 5_010, dtype=np.int64)
    index = laid_out(data, keys)
    assert index.kind == ("ivf" if exact_limit < 5_000 else "exact")
    assert recall_against_brute_force(index, data, keys) >= 0.95
    index.save(tmp_path / "v.faiss")
    reloaded = VectorIndex.load(tmp_path / "v.faiss", 32)
    assert reloaded.kind == index.kind
    assert recall_against_brute_force(reloaded, data, keys) >= 0.95


@pytest.mark.parametrize("exact_limit", [100_000, 100])
def test_vector_delete_replace_and_filtered_search(monkeypatch: pytest.MonkeyPatch, exact_limit: int) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", exact_limit)
    data = unit_rows(500, 16, seed=2)
    index = VectorIndex(16)
    index.add(np.arange(500), data)
    index = index.rebuilt_for_size()
    index.delete([0])
    assert index.count() == 499
    assert all(key != 0 for key, _ in index.search_one(data[0], 5))
    index.add(np.array([1]), data[2:3])
    assert index.count() == 499
    allowed = np.array([7, 8, 9], dtype=np.int64)
    hits = index.search_one(data[100], 10, allowed)
    assert sorted(key for key, _ in hits) == [7, 8, 9]


def test_exported_vectors_round_trip() -> None:
    data = unit_rows(50, 8, seed=3)
    index = VectorIndex(8)
    index.add(np.arange(50), data)
    keys, exported = index.export()
    assert np.allclose(exported[np.argsort(keys)], data)


def test_lexical_contract_add_delete_filter_and_reload(tmp_path: Path) -> None:
    index = LexicalIndex(tokenize)
    index.add([1, 2, 3], ["red cotton shirt", "blue jeans", "红色 连衣裙"])
    assert index.search_tokens(tokenize("shirts"), 5)[0][0] == 1
    assert index.search_tokens(tokenize("红色"), 5)[0][0] == 3
    assert index.search_tokens(tokenize("nothing-like-this"), 5) == []
    assert [k for k, _ in index.search_tokens(tokenize("red shirt jeans"), 5, np.array([2]))] == [2]
    index.delete([1])
    assert index.search_tokens(tokenize("shirt"), 5) == []
    index.save(tmp_path)
    reloaded = LexicalIndex.load(tmp_path, tokenize)
    assert reloaded.count() == 2
    assert reloaded.search_tokens(tokenize("jeans"), 5)[0][0] == 2


def test_loading_an_index_of_another_dimension_says_to_rebuild(tmp_path: Path) -> None:
    index = VectorIndex(8)
    index.add(np.arange(3), unit_rows(3, 8, seed=1))
    index.save(tmp_path / "v.faiss")
    with pytest.raises(IndexMismatch, match="rebuild"):
        VectorIndex.load(tmp_path / "v.faiss", 9)


@pytest.mark.parametrize("exact_limit", [50_000, 1_000])
def test_sq8_compression_keeps_recall_and_shrinks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", exact_limit)
    data, keys = clustered_rows(5_000, 32, seed=1), np.arange(10, 5_010, dtype=np.int64)
    full, compressed = laid_out(data, keys), laid_out(data, keys, "sq8")
    assert compressed.stored_as == "sq8" and full.stored_as == "none"
    assert recall_against_brute_force(compressed, data, keys) >= 0.95
    full.save(tmp_path / "full.faiss")
    compressed.save(tmp_path / "sq8.faiss")
    assert (tmp_path / "sq8.faiss").stat().st_size < 0.5 * (tmp_path / "full.faiss").stat().st_size
    reloaded = VectorIndex.load(tmp_path / "sq8.faiss", 32)
    assert reloaded.stored_as == "sq8" and reloaded.rebuilt_for_size("sq8") is reloaded
    assert recall_against_brute_force(reloaded, data, keys) >= 0.95
    reloaded.add(np.array([99_999]), data[:1])
    assert reloaded.search_one(data[0], 2)[0][1] > 0.99


def low_rank_rows(count: int, dim: int, rank: int, seed: int) -> np.ndarray:
    """Unit vectors that live near a rank-dimensional subspace, the way image features concentrate."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((dim, rank)))[0].T
    rows = clustered_rows(count, rank, seed) @ basis + 0.02 * rng.standard_normal((count, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("exact_limit", [100_000, 1_000])
def test_sq8_pca_keeps_a_wide_spaces_principal_directions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", exact_limit)
    data, keys = low_rank_rows(5_000, 48, 12, seed=1), np.arange(10, 5_010, dtype=np.int64)
    projected = laid_out(data, keys, "sq8-pca", directions=16)
    assert projected.stored_as == "sq8-pca" and projected.kind == ("ivf" if exact_limit < 5_000 else "exact")
    assert laid_out(data[:, :16], keys, "sq8-pca", directions=16).stored_as == "sq8"  # as narrow: every direction
    assert laid_out(data, keys, "sq8-pca").stored_as == "sq8"  # a space given no number of directions keeps all
    assert recall_against_brute_force(projected, data, keys) >= 0.9
    _, read = projected.vectors(keys[:50])
    assert np.all(np.sum(read * data[:50], axis=1) > 0.97)  # given back in the full space, close to the original
    projected.save(tmp_path / "p.faiss")
    laid_out(data, keys, "sq8").save(tmp_path / "s.faiss")
    assert (tmp_path / "p.faiss").stat().st_size < 0.6 * (tmp_path / "s.faiss").stat().st_size
    reloaded = VectorIndex.load(tmp_path / "p.faiss", 48, projected.recall_at_10)
    assert reloaded.stored_as == "sq8-pca" and reloaded.rebuilt_for_size("sq8-pca", 16) is reloaded
    assert reloaded.rebuilt_for_size("sq8-pca", 24).count() == len(keys)  # another number of directions: laid out
    assert reloaded.search_many(data[::300], 10) == projected.search_many(data[::300], 10)
    allowed = keys[::7]
    hits = reloaded.search_one(data[70], 5, allowed)
    assert hits[0][0] == keys[70] and {key for key, _ in hits} <= set(allowed.tolist())
    _, decoded = reloaded.vectors(allowed)  # scored in the projected space as the full space would score them
    assert np.allclose([score for _, score in hits], np.sort(decoded @ data[70])[::-1][:5], atol=1e-5)
    reloaded.delete([int(keys[70])])
    assert keys[70] not in [key for key, _ in reloaded.search_one(data[70], 5)]
    assert reloaded.rebuilt_for_size("sq8").stored_as == "sq8"  # the setting changed back: laid out again


def test_index_setting_sq8_compresses_at_checkpoint_and_search_still_works(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"p{n}", "title": f"cotton shirt number {n} colour {n % 7}"}) for n in range(1_200)]
    (tmp_path / "c.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"](), settings=Settings(vector_compression="sq8"))
    shop.ingest(read_catalog(tmp_path / "c.jsonl"))
    assert shop.indexes.text.stored_as == "sq8"
    assert shop.search(Query("cotton shirt number 517", k=1)).hits[0].product.id == "p517"
    shop.close()
    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    assert reopened.indexes.text.stored_as == "sq8" and reopened.settings.vector_compression == "sq8"


def test_ivf_search_depth_is_tuned_on_its_own_vectors_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 1_000)
    data, keys = clustered_rows(6_000, 32, seed=3), np.arange(6_000, dtype=np.int64)
    index = laid_out(data, keys)
    card = index.card()
    assert card["kind"] == "ivf" and card["count"] == 6_000
    assert index.recall_at_10 is not None and index.recall_at_10 >= vectors.TARGET_RECALL
    assert 1 <= index.nprobe < vectors.ivf_lists(6_000)  # fewer lists than all of them reach the target
    assert recall_against_brute_force(index, data, keys) >= 0.9  # holds for queries it was not tuned on
    index.save(tmp_path / "v.faiss")
    assert VectorIndex.load(tmp_path / "v.faiss", 32, index.recall_at_10).nprobe == index.nprobe
    retuned = VectorIndex.load(tmp_path / "v.faiss", 32)  # no recorded recall: measured again on load
    assert retuned.recall_at_10 is not None and retuned.recall_at_10 >= vectors.TARGET_RECALL


def test_the_index_card_reaches_healthz(tmp_path: Path, tiny_catalog: Path) -> None:
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    layout = TestClient(create_app(shop)).get("/healthz").json()["indexes"]["text"]
    assert layout == {
        "kind": "exact",
        "stored_as": "none",
        "count": shop.indexes.text.count(),
        "nprobe": 0,
        "recall_at_10": 1.0,
    }
    assert json.loads((shop.snapshots.current()[0] / "index-card.json").read_text())["text"]["recall_at_10"] == 1.0


@pytest.mark.parametrize("allowed_count", [50, 400])  # read and scored directly, or searched with a selector
def test_a_filtered_exact_search_ranks_as_brute_force(allowed_count: int) -> None:
    data, keys = unit_rows(1_000, 16, seed=5), np.arange(1_000, dtype=np.int64)
    index = laid_out(data, keys)
    allowed = np.random.default_rng(6).choice(keys, allowed_count, replace=False)
    query = data[3]
    truth = allowed[np.argsort(-(data[allowed] @ query))][:20]
    found = index.search_one(query, 20, np.concatenate([allowed, [5_000]]))  # an unknown key is no answer
    assert [key for key, _ in found] == truth.tolist()
    assert np.allclose([score for _, score in found], data[truth] @ query, atol=1e-5)


@pytest.mark.parametrize("exact_limit", [100_000, 1_000])
def test_an_index_read_back_from_its_file_answers_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", exact_limit)
    data, keys = clustered_rows(3_000, 16, seed=7), np.arange(3_000, dtype=np.int64)
    index = laid_out(data, keys)
    index.add(np.arange(3_000, 3_100), clustered_rows(100, 16, seed=8))  # written after the layout: lists grew
    index.save(tmp_path / "v.faiss")
    again = index.read_back(tmp_path / "v.faiss")
    assert (again.kind, again.count(), again.nprobe, again.recall_at_10) == (
        index.kind, index.count(), index.nprobe, index.recall_at_10
    )  # fmt: skip
    assert again._tuned_count == index._tuned_count
    assert again.search_many(data[::300], 10) == index.search_many(data[::300], 10)
    assert again.held(np.array([5, 3_050, 9_999])).tolist() == [True, True, False]


def test_an_exact_index_read_in_place_follows_every_write() -> None:
    data = unit_rows(30 * 12, 16, seed=9)  # no two keys share a vector: no ties
    index, oracle = VectorIndex(16), {}
    rng = np.random.default_rng(10)
    for step in range(30):  # adds, replacements and deletes, each followed by reads and searches
        keys = rng.choice(400, 12, replace=False)
        if step % 3 == 2:
            index.delete(keys.tolist())
            for key in keys.tolist():
                oracle.pop(key, None)
        else:
            rows = data[12 * step : 12 * step + 12]
            index.add(keys, rows)
            oracle.update(zip(keys.tolist(), rows, strict=True))
        known = np.array(sorted(oracle), dtype=np.int64)
        found, read = index.vectors(np.concatenate([known, [999]]))
        assert found.tolist() == known.tolist()
        assert np.array_equal(read, np.stack([oracle[key] for key in known.tolist()]))
        query = unit_rows(1, 16, seed=step)[0]
        scores = read @ query
        assert [key for key, _ in index.search_one(query, 5)] == known[np.argsort(-scores, kind="stable")][:5].tolist()


def test_a_query_with_few_non_zero_coordinates_scores_as_the_whole_vector() -> None:
    data, keys = unit_rows(1_000, 32, seed=11), np.arange(1_000, dtype=np.int64)
    index = laid_out(data, keys)
    query = np.zeros(32, np.float32)
    query[-5:] = unit_rows(1, 5, seed=12)[0]  # like a colour query: zero on the rest
    allowed = keys[::10]
    found = index.search_one(query, 10, allowed)
    truth = allowed[np.argsort(-(data[allowed] @ query), kind="stable")][:10]
    assert [key for key, _ in found] == truth.tolist()
    assert np.allclose([score for _, score in found], data[truth] @ query, atol=1e-5)
