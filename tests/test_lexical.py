"""The lexical index: searchable at once after a write, merged in the background to what a rebuild gives."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from shopseek.index import lexical, token_lists
from shopseek.index.lexical import LexicalIndex, Segment
from shopseek.index.token_lists import TokenLists
from shopseek.index.vocabulary import Vocabulary
from shopseek.language import tokenize

TEXTS = [
    f"{colour} {kind} number {n}"
    for n, (colour, kind) in enumerate(
        [(c, k) for c in ("red", "blue", "green", "black") for k in ("shirt", "jeans", "dress", "scarf", "coat")] * 5
    )
]


def built(texts: dict[int, str]) -> LexicalIndex:
    """An index with these texts all in its main segment."""
    index = LexicalIndex(tokenize)
    index.add(list(texts), list(texts.values()))
    index.commit()
    return index


def test_writes_are_searchable_at_once_without_a_rebuild() -> None:
    index = built(dict(enumerate(TEXTS)))
    index.add([1000], ["yellow raincoat"])
    index.add([3], ["purple scarf"])  # replaces "black shirt number 3"... in the main segment
    index.delete([0])
    assert index.pending() == 3
    assert index.search_tokens(tokenize("yellow raincoat"), 5)[0][0] == 1000
    assert index.search_tokens(tokenize("purple"), 5)[0][0] == 3
    assert 0 not in dict(index.search_tokens(tokenize("red shirt number"), 100))
    assert 3 not in dict(index.search_tokens(tokenize("number"), 100))


def test_delta_ranks_like_a_full_rebuild_and_merging_makes_it_equal() -> None:
    texts = dict(enumerate(TEXTS))
    index = built(texts)
    changes = {5: "red silk shirt", 200: "red shirt with red collar", 201: "blue denim jeans"}
    index.add(list(changes), list(changes.values()))
    reference = built(texts | changes)
    for query in ("red shirt", "blue jeans", "collar", "silk"):
        tokens = tokenize(query)
        hits, expected = index.search_tokens(tokens, 10), reference.search_tokens(tokens, 10)
        assert [k for k, _ in hits][:2] == [k for k, _ in expected][:2]  # later ranks tie
        assert dict(hits)[expected[0][0]] == pytest.approx(expected[0][1], rel=0.1)
    index.commit()
    assert index.pending() == 0
    for query in ("red shirt", "blue jeans", "collar"):
        assert index.search_tokens(tokenize(query), 10) == reference.search_tokens(tokenize(query), 10)


def test_a_catalogue_held_in_the_delta_alone_scores_exactly_as_a_rebuild() -> None:
    texts = {n: text + " with a much longer description" * (n % 3) for n, text in enumerate(TEXTS[:30])}
    index = LexicalIndex(tokenize)
    index.add(list(texts), list(texts.values()))  # below the merge size: every product stays in the delta
    index.delete([4])
    assert index.pending() == len(texts)
    reference = built({n: text for n, text in texts.items() if n != 4})
    for query in ("red shirt", "blue jeans number 7", "description"):
        hits, expected = index.search_tokens(tokenize(query), 50), reference.search_tokens(tokenize(query), 50)
        assert dict(hits) == pytest.approx(dict(expected), rel=1e-5)  # every product, every score


def test_an_index_built_in_one_pass_scores_as_one_built_by_writes_and_takes_writes_after() -> None:
    texts = dict(enumerate(TEXTS))
    index = LexicalIndex.built_from(tokenize, texts.items())
    reference = built(texts)
    assert index.pending() == 0 and index.count() == len(texts)
    for query in ("red shirt", "blue jeans number 7", "scarf"):
        assert index.search_tokens(tokenize(query), 50) == reference.search_tokens(tokenize(query), 50)
    index.add([500], ["yellow raincoat"])
    assert index.search_tokens(tokenize("raincoat"), 5)[0][0] == 500


def test_filters_and_deletes_apply_to_the_delta_too() -> None:
    index = built(dict(enumerate(TEXTS)))
    index.add([500, 501], ["red shirt", "red shirt"])
    assert [k for k, _ in index.search_tokens(tokenize("red shirt"), 5, np.array([501]))] == [501]
    index.delete([500, 501])
    assert not {500, 501} & set(dict(index.search_tokens(tokenize("red shirt"), 100)))
    assert index.count() == len(TEXTS)


def test_a_large_delta_is_merged_in_the_background() -> None:
    index = LexicalIndex(tokenize, merge_at=10)
    index.add(list(range(30)), TEXTS[:30])
    index.add([30], ["grey hoodie"])
    index.commit()
    assert index.pending() == 0
    assert index.search_tokens(tokenize("grey hoodie"), 3)[0][0] == 30


def test_a_snapshot_reloads_the_segment_and_the_delta_without_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = built(dict(enumerate(TEXTS)))
    index.add([500], ["yellow raincoat"])
    index.delete([1])
    index.save(tmp_path)
    monkeypatch.setattr(Segment, "build", lambda *_: pytest.fail("rebuilt BM25 on load"))
    reloaded = LexicalIndex.load(tmp_path, tokenize)
    assert reloaded.pending() == 2 and reloaded.count() == index.count()
    for query in ("yellow raincoat", "blue jeans number", "red shirt"):
        assert reloaded.search_tokens(tokenize(query), 10) == index.search_tokens(tokenize(query), 10)


def test_a_snapshot_links_an_unchanged_segment_from_the_previous_one(tmp_path: Path) -> None:
    index = built(dict(enumerate(TEXTS)))
    index.save(tmp_path / "first")
    index.add([500], ["yellow raincoat"])  # in the delta: the main segment is the same build
    index.save(tmp_path / "second", previous=tmp_path / "first")
    first, second = tmp_path / "first" / "bm25", tmp_path / "second" / "bm25"
    assert sorted(p.name for p in second.iterdir()) == sorted(p.name for p in first.iterdir())
    assert all((second / p.name).stat().st_ino == p.stat().st_ino for p in first.iterdir())  # linked, not written
    reloaded = LexicalIndex.load(tmp_path / "second", tokenize)
    for query in ("yellow raincoat", "blue jeans number"):
        assert reloaded.search_tokens(tokenize(query), 10) == index.search_tokens(tokenize(query), 10)
    index.commit()  # a new build: written anew
    index.save(tmp_path / "third", previous=tmp_path / "second")
    assert (tmp_path / "third" / "bm25" / "keys.npy").stat().st_ino != (second / "keys.npy").stat().st_ino


def test_a_merged_segment_is_read_from_the_snapshot_once_saved(tmp_path: Path) -> None:
    index = built(dict(enumerate(TEXTS)))
    expected = {query: index.search_tokens(tokenize(query), 10) for query in ("blue jeans", "red shirt number")}
    assert not index.commit().mapped  # built in memory
    index.save(tmp_path)
    assert index.commit().mapped
    assert {query: index.search_tokens(tokenize(query), 10) for query in expected} == expected


def test_token_lists_round_trip_through_a_vocabulary_and_ids(tmp_path: Path) -> None:
    tokens = {9: ["红色", "连衣裙", "dress"], 3: ["red", "dress", "red"], 7: [], 12: ["∅x"]}
    TokenLists.from_lists(tokens).table().save(tmp_path)
    loaded = TokenLists.load(tmp_path)
    assert loaded is not None and dict(loaded.table().items()) == tokens
    assert {key: loaded.get(key) for key in loaded.held_keys()} == tokens
    items = dict(loaded.table().items())
    assert items[3][1] is items[9][2]  # one object per word, shared
    assert TokenLists.load(tmp_path / "nothing") is None
    (tmp_path / "empty").mkdir()
    TokenLists().table().save(tmp_path / "empty")
    empty = TokenLists.load(tmp_path / "empty")
    assert empty is not None and len(empty) == 0 and empty.held_keys() == []


def test_token_lists_replace_delete_and_compact_without_losing_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_lists, "MIN_GARBAGE", 0)  # compacts whenever half the buffer is replaced tokens
    held, expected = TokenLists(), {}
    rng = np.random.default_rng(0)
    for _ in range(3000):
        key = int(rng.integers(0, 200))
        if rng.random() < 0.2:
            assert held.pop(key) == (expected.pop(key, None) is not None)
        else:
            expected[key] = [f"w{int(w)}" for w in rng.integers(0, 50, int(rng.integers(0, 6)))]
            held.put(key, expected[key])
        assert len(held) == len(expected)
    assert {key: held.get(key) for key in held.held_keys()} == expected
    assert dict(held.table().items()) == expected
    assert held.get(10_000) is None and not held.pop(-1)


def test_a_snapshot_written_with_json_token_lists_still_loads(tmp_path: Path) -> None:
    index = built(dict(enumerate(TEXTS)))
    index.save(tmp_path)
    tokens = dict(TokenLists.load(tmp_path).table().items())  # type: ignore[union-attr]
    (tmp_path / "lexical-tokens.npz").unlink()
    (tmp_path / "lexical.json").write_text(json.dumps(tokens))  # as snapshots were written before
    reloaded = LexicalIndex.load(tmp_path, tokenize)
    assert reloaded.search_tokens(tokenize("blue jeans"), 10) == index.search_tokens(tokenize("blue jeans"), 10)


def test_a_segment_saved_with_bm25s_vocabulary_and_document_frequencies_still_loads(tmp_path: Path) -> None:
    index = built(dict(enumerate(TEXTS)))
    index.add([500], ["yellow raincoat"])
    index.save(tmp_path)
    segment = tmp_path / "bm25"
    words = (segment / "words.txt").read_text(encoding="utf-8").split("\n")
    (segment / "vocab.index.json").write_text(json.dumps({w: i for i, w in enumerate([*words, ""])}))  # as bm25s
    (segment / "words.txt").unlink()
    statistics = json.loads((segment / "statistics.json").read_text())
    (segment / "statistics.json").write_text(json.dumps({**statistics, "document_frequency": {"red": 5}}))
    reloaded = LexicalIndex.load(tmp_path, tokenize)
    for query in ("yellow raincoat", "blue jeans number", "red shirt"):
        assert reloaded.search_tokens(tokenize(query), 10) == index.search_tokens(tokenize(query), 10)


def test_a_large_catalogue_merges_in_a_helper_process_to_the_same_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = dict(enumerate(TEXTS))
    in_thread = built({**texts, 900: "zzyzx raincoat"})
    monkeypatch.setattr(lexical, "MERGE_ASIDE_AT", 1)
    monkeypatch.setattr(Segment, "build", lambda *_: pytest.fail("built in this process"))
    aside = LexicalIndex(tokenize)
    aside.add(list(texts), list(texts.values()))
    aside.add([900], ["zzyzx raincoat"])  # a word new to the vocabulary the tokens were read with
    aside.commit()
    assert aside.pending() == 0
    for query in ("blue jeans number", "red shirt", "green"):
        assert aside.search_tokens(tokenize(query), 10) == in_thread.search_tokens(tokenize(query), 10)
    assert aside.search_tokens(tokenize("zzyzx"), 3)[0][0] == 900


def test_vocabulary_numbers_words_in_the_order_given() -> None:
    words = ["red", "连衣裙", "∅", "", "dress", "x" * 300]
    vocabulary = Vocabulary(words)
    assert [vocabulary.number(w) for w in words] == list(range(len(words)))
    assert vocabulary.words() == words and len(vocabulary) == 6
    assert vocabulary.number("blue") is None and vocabulary.number("re") is None
    assert Vocabulary([]).number("red") is None
    copied = pickle.loads(pickle.dumps(vocabulary))  # another process hashes words its own way: indexed again
    assert [copied.number(w) for w in words] == list(range(len(words))) and copied.number("blue") is None


def test_new_words_folded_into_a_vocabulary_keep_their_numbers() -> None:
    held = TokenLists.from_lists({1: ["red", "dress"], 2: ["blue"]})
    vocabulary = Vocabulary(held.table().words())
    held.put(3, ["green", "dress"])  # a word new since the table
    held.adopt(vocabulary)
    held.put(4, ["green", "red", "scarf"])
    assert {key: held.get(key) for key in held.held_keys()} == {
        1: ["red", "dress"],
        2: ["blue"],
        3: ["green", "dress"],
        4: ["green", "red", "scarf"],
    }


def test_a_repeated_query_reads_its_kept_scores_until_a_write_or_a_merge() -> None:
    index = built(dict(enumerate(TEXTS)))
    tokens = tokenize("red shirt")
    first = index.search_tokens(tokens, 10)
    assert index.search_tokens(tokens, 10) == first
    picks = np.array([key for key, _ in first[2:5]], dtype=np.int64)
    assert index.search_tokens(tokens, 3, picks) == first[2:5]  # among a few keys: the same scores
    index.add([500], ["red shirt red shirt"])
    assert index.search_tokens(tokens, 1)[0][0] == 500  # a write is seen at once
    index.delete([500])
    assert index.search_tokens(tokens, 10) == first
    index.add([0], ["green coat"])
    assert 0 not in dict(index.search_tokens(tokens, 10))
    index.commit()  # the merged segment's statistics change the scores: nothing kept from before
    rebuilt = built(dict(enumerate(TEXTS)) | {0: "green coat"})
    assert index.search_tokens(tokens, 10) == rebuilt.search_tokens(tokens, 10)


def test_holding_names_the_keys_whose_text_holds_a_token_in_the_segment_or_the_delta() -> None:
    index = built({1: "red shirt", 2: "blue jeans", 3: "red scarf"})
    index.add([4], ["green shirt"])  # in the delta
    assert index.holding([1, 2, 3, 4, 99], ["shirt"]) == {1, 4}
    assert index.holding([1, 2, 3], ["jean", "scarf"]) == {2, 3}
    assert index.holding([2], ["shirt"]) == set()


def test_a_compound_ending_in_a_token_holds_it() -> None:
    index = built({1: "leather handbag", 2: "shoulder bag", 3: "bagel toaster"})
    assert index.holding([1, 2, 3], ["bag"]) == {1, 2}  # "handbag" ends in "bag"; "bagel" only starts with it
    assert index.holding([1, 2, 3], ["ag"]) == set()  # endings of fewer than three letters hold nothing
