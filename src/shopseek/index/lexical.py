"""BM25 lexical index over jieba + stemmed English tokens: a bm25s main segment and a small delta beside it.

A write never rebuilds BM25 on the request path. New and changed products go to the delta (an inverted list scored
with the main segment's statistics, the Lucene BM25 formula bm25s uses); replaced and deleted products are hidden in
the main segment by a tombstone. Once the delta has grown, a background thread rebuilds the main segment from every
product's tokens (in a helper process for a large catalogue) and publishes it with one swap; writes that came during
the rebuild stay in the delta.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import re
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from shopseek.index.base import Hits, rows_by_key, top_hits
from shopseek.index.json_file import write_json
from shopseek.index.token_lists import TokenLists, TokenTable
from shopseek.index.vocabulary import Vocabulary

Tokenizer = Callable[[str], list[str]]
K1, B = 1.5, 0.75  # bm25s defaults, used for the delta too
MERGE_AT = 2_000  # delta size that starts a background merge (or 5 % of the main segment, whichever is larger)
MERGE_ASIDE_AT = 50_000  # products from which merges build in a helper process: in a thread, at 1.1M products,
# the merge's Python work held the interpreter lock from searches for half a minute (word search p50 84 -> 170 ms)
SEGMENT = "bm25"  # the main segment's folder inside a snapshot
COMPOUND_ENDING = re.compile(r"[a-z]{3,}")  # a Latin word this long ends compounds that are that thing
IDENTITY = "identity"  # the file naming the segment build a folder holds
WORDS = "words.txt"  # the segment's words, one a line in column order
EMPTY = "\u2205"  # stands in for a product without words, so bm25s keeps its row


def holder_of(tokens: list[str]) -> Callable[[str], bool]:
    """A test of one word: True when it is one of the tokens or ends in one of its Latin tokens of three letters or
    more ("handbag" holds "bag")."""
    wanted = frozenset(tokens)
    endings = tuple(token for token in tokens if COMPOUND_ENDING.fullmatch(token))
    return lambda word: word in wanted or (bool(endings) and word.endswith(endings))


def interned(tokens: list[str]) -> list[str]:
    """The tokens as shared string objects (a million products repeat a few thousand words)."""
    return [sys.intern(token) for token in tokens]


@dataclass(frozen=True)
class Segment:
    """One BM25 build over a frozen set of products, with the statistics the delta is scored against."""

    generation: int = 0
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    row_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # by key; -1: not held
    bm25: bm25s.BM25 | None = None  # without its vocabulary dict: tokens are numbered by `words`
    words: Vocabulary = field(default_factory=lambda: Vocabulary([]))  # numbered as the BM25 matrix's columns
    mean_length: float = 1.0
    identity: str = ""  # names this build, so a snapshot can reuse the files an earlier snapshot wrote for it

    @classmethod
    def build(cls, generation: int, items: list[tuple[int, list[str]]]) -> Segment:
        """BM25 over these products' tokens."""
        keys = np.array([key for key, _ in items], dtype=np.int64)
        if not items:
            return cls(generation, keys)
        corpus = [tokens or [EMPTY] for _, tokens in items]
        bm25 = bm25s.BM25(k1=K1, b=B)
        bm25.index(corpus, show_progress=False)
        return cls(
            generation=generation,
            keys=keys,
            row_of=rows_by_key(keys),
            bm25=bm25,
            words=_columns(bm25, bm25.vocab_dict),
            mean_length=sum(map(len, corpus)) / len(corpus),
            identity=uuid.uuid4().hex,
        )

    def columns(self, tokens: list[str]) -> list[int]:
        """The BM25 matrix's columns of those tokens it holds."""
        found = (self.words.number(token) for token in tokens)
        return [column for column in found if column is not None]

    def frequency(self, token: str) -> int:
        """Products of this segment holding the token."""
        column = self.words.number(token)
        if self.bm25 is None or column is None:
            return 0
        starts = self.bm25.scores["indptr"]
        return int(starts[column + 1] - starts[column])

    @property
    def mapped(self) -> bool:
        """Whether the BM25 matrices are memory-mapped from a snapshot's files (else built in memory)."""
        return self.bm25 is not None and isinstance(self.bm25.scores["data"], np.memmap)

    def row(self, key: int) -> int | None:
        """The product's row in this segment, or None when the segment does not hold it."""
        return int(self.row_of[key]) if 0 <= key < len(self.row_of) and self.row_of[key] >= 0 else None

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Write the BM25 matrices (bm25s), keys and statistics into a folder of a snapshot being written; when the
        `previous` snapshot's folder holds this very build, link its files instead (bm25s holds the interpreter lock
        for seconds writing a large vocabulary)."""
        if self.bm25 is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        if previous is not None and self.identity and _identity(previous) == self.identity:
            for path in previous.iterdir():
                os.link(path, folder / path.name)
            return
        self.bm25.save(str(folder))
        self.words.save(folder / WORDS)
        np.save(folder / "keys.npy", self.keys)
        write_json(folder / "statistics.json", {"mean_length": self.mean_length})
        (folder / IDENTITY).write_text(self.identity)

    @classmethod
    def load(cls, folder: Path, generation: int) -> Segment:
        """A segment written by `save` (the matrices memory-mapped, not rebuilt)."""
        has_words = (folder / WORDS).exists()  # segments saved before kept only bm25s's vocabulary
        bm25 = bm25s.BM25.load(str(folder), mmap=True, load_vocab=not has_words, show_progress=False)
        keys = np.load(folder / "keys.npy")
        statistics = json.loads((folder / "statistics.json").read_text())
        return cls(
            generation=generation,
            keys=keys,
            row_of=rows_by_key(keys),
            bm25=bm25,
            words=Vocabulary.load(folder / WORDS) if has_words else _columns(bm25, bm25.vocab_dict),
            mean_length=float(statistics["mean_length"]),
            identity=_identity(folder),
        )


def _columns(bm25: bm25s.BM25, numbered: dict[str, int]) -> Vocabulary:
    """bm25s's vocabulary as words in column order (it numbers one word more than it has columns, ""), after which
    bm25s's own dict and set of them are dropped: a million words took 260 MB there."""
    words = [""] * (len(bm25.scores["indptr"]) - 1)
    for word, column in numbered.items():
        if column < len(words):
            words[column] = word
    bm25.vocab_dict, bm25.unique_token_ids_set = {}, set()  # bm25s's query-time lookups, unused here
    return Vocabulary(words)


def built(generation: int, table: TokenTable) -> tuple[Segment, Vocabulary | None]:
    """The main segment over a table's tokens, and the table's words as one vocabulary when some were new."""
    return Segment.build(generation, list(table.items())), Vocabulary(table.words()) if table.new_words else None


def built_aside(generation: int, table: TokenTable) -> tuple[Segment, Vocabulary | None]:
    """`built` in a helper process, so its seconds of Python work leave the interpreter lock to searches (in this
    thread when no process can start)."""
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(built, generation, table).result()
    except (BrokenProcessPool, OSError):
        return built(generation, table)


def _identity(folder: Path) -> str:
    """The identity of the segment build saved in a folder ("" when none is recorded)."""
    path = folder / IDENTITY
    return path.read_text() if path.exists() else ""


class Delta:
    """Products written since the main segment was built: term counts and an inverted list (callers lock)."""

    def __init__(self) -> None:
        self.written: dict[int, int] = {}  # key -> generation of its last write
        self.counts: dict[int, Counter[str]] = {}  # present products only (deleted ones are just `written`)
        self.lengths: dict[int, int] = {}  # tokens per present product
        self.postings: dict[str, set[int]] = {}
        self.length = 0  # tokens over present products

    def put(self, key: int, generation: int, tokens: list[str] | None) -> None:
        """Record a write: new tokens, or None for a delete."""
        self._unlist(key)
        self.written[key] = generation
        if tokens is not None:
            counts = Counter(tokens or [EMPTY])
            self.counts[key] = counts
            self.lengths[key] = counts.total()
            self.length += self.lengths[key]
            for token in counts:
                self.postings.setdefault(token, set()).add(key)

    def forget_through(self, generation: int) -> None:
        """Drop writes a main segment built at `generation` already holds."""
        for key in [key for key, written in self.written.items() if written <= generation]:
            self._unlist(key)
            del self.written[key]

    def _unlist(self, key: int) -> None:
        counts = self.counts.pop(key, Counter())
        self.length -= self.lengths.pop(key, 0)
        for token in counts:
            holders = self.postings[token]
            holders.discard(key)
            if not holders:
                del self.postings[token]

    def scores(self, tokens: list[str], main: Segment) -> dict[int, float]:
        """BM25 scores of delta products for these tokens, with the statistics of main segment and delta together
        (a small catalogue, held in the delta alone, scores exactly as a rebuild would)."""
        documents = len(main.keys) + len(self.counts)
        mean_length = (main.mean_length * len(main.keys) + self.length) / max(documents, 1)
        found: dict[int, float] = {}
        for token in set(tokens):
            holders = self.postings.get(token, set())
            if not holders:
                continue
            frequency = main.frequency(token) + len(holders)
            idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            for key in holders:
                tf, length = self.counts[key][token], self.lengths[key]
                norm = K1 * (1 - B + B * length / mean_length)
                found[key] = found.get(key, 0.0) + idf * tf / (tf + norm)
        return found


class LexicalIndex:
    """BM25 over tokenised product texts; searchable at once after each write, merged in the background."""

    def __init__(self, tokenizer: Tokenizer, merge_at: int = MERGE_AT) -> None:
        self._tokenize = tokenizer
        self._merge_at = merge_at
        self._tokens = TokenLists()
        self._generation = 0  # bumped by every write
        self._merges = 0  # bumped by every published merge
        self._last: tuple[tuple, tuple[np.ndarray, np.ndarray]] | None = None  # the last words' scores, see `_scores`
        self._main = Segment()
        self._alive = np.ones(0, dtype=bool)  # main rows not replaced or deleted since the build
        self._delta = Delta()
        self._lock = threading.Lock()  # guards tokens, delta and the published main segment
        self._merging: threading.Thread | None = None

    def add(self, keys: list[int], texts: list[str]) -> None:
        """Add or replace the texts of products (searchable when this returns)."""
        tokenised = [(int(key), interned(self._tokenize(text))) for key, text in zip(keys, texts, strict=True)]
        with self._lock:
            for key, tokens in tokenised:
                self._tokens.put(key, tokens)
                self._write(key, tokens)
        self._merge_if_due()

    def delete(self, keys: list[int]) -> None:
        """Remove products; unknown keys are ignored."""
        with self._lock:
            for key in keys:
                if self._tokens.pop(int(key)):
                    self._write(int(key), None)

    def _write(self, key: int, tokens: list[str] | None) -> None:
        """Put a write (its tokens, or None for a delete) into the delta and hide the main segment's row."""
        self._generation += 1
        self._delta.put(key, self._generation, tokens)
        row = self._main.row(key)
        if row is not None:
            self._alive[row] = False

    def held_keys(self) -> list[int]:
        """Keys of the products held."""
        with self._lock:
            return self._tokens.held_keys()

    def count(self) -> int:
        """Number of products held."""
        return len(self._tokens)

    def holding(self, keys: list[int], tokens: list[str]) -> set[int]:
        """The keys among these whose text holds any of the tokens (as `holder_of` reads it); read from the token
        lists, each distinct word once, no BM25 pass."""
        with self._lock:
            return self._tokens.holding([int(key) for key in keys], holder_of(tokens))

    def pending(self) -> int:
        """Writes held in the delta, waiting for the next merge."""
        return len(self._delta.written)

    def commit(self) -> Segment:
        """Merge every write into the main segment now (for snapshots and tests; searches never need it)."""
        self._wait_for_merge()
        self._merge()
        return self._main

    def _merge_if_due(self) -> None:
        due = len(self._delta.written) >= max(self._merge_at, len(self._main.keys) // 20)
        if due and (self._merging is None or not self._merging.is_alive()):
            self._merging = threading.Thread(target=self._merge, name="lexical-merge", daemon=True)
            self._merging.start()

    def _wait_for_merge(self) -> None:
        if self._merging is not None:
            self._merging.join()

    def _merge(self) -> None:
        """Rebuild the main segment from every product aside, then publish it with the writes that came meanwhile."""
        with self._lock:
            if not self._delta.written:
                return
            generation, table = self._generation, self._tokens.table()
        segment, words = (built_aside if len(table.keys) >= MERGE_ASIDE_AT else built)(generation, table)
        with self._lock:
            self._delta.forget_through(generation)
            alive = np.ones(len(segment.keys), dtype=bool)
            for key in self._delta.written:
                row = segment.row(key)
                if row is not None:
                    alive[row] = False
            self._main, self._alive = segment, alive
            self._merges += 1
            if words is not None:
                self._tokens.adopt(words)

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, BM25 score) pairs for already tokenised query words."""
        if not tokens or k <= 0:
            return []
        keys, scores = self._scores(tokens)
        if allowed is not None:
            scores = np.where(np.isin(keys, allowed), scores, 0.0)
        k = min(k, int((scores > 0).sum()))
        if k == 0:
            return []
        return top_hits(keys, scores, k)

    def _scores(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every product's BM25 score for these words; the last words' are kept until the next write or merge (a word
        search asks twice: for its candidates, then among the cross-modal heads' picks)."""
        with self._lock:
            asked = (tuple(tokens), self._generation, self._merges)
            if self._last is not None and self._last[0] == asked:
                return self._last[1]
            main, alive = self._main, self._alive
            extra = self._delta.scores(tokens, main)
        columns = main.columns(tokens)
        keys = main.keys
        if main.bm25 is not None and columns:
            scores = np.asarray(main.bm25.get_scores(columns), dtype=np.float32) * alive
        else:
            scores = np.zeros(len(keys), dtype=np.float32)
        if extra:
            keys = np.concatenate([keys, np.fromiter(extra, dtype=np.int64, count=len(extra))])
            scores = np.concatenate([scores, np.fromiter(extra.values(), dtype=np.float32, count=len(extra))])
        self._last = asked, (keys, scores)
        return keys, scores

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Write token lists, the main segment (linked from the `previous` snapshot's folder when unchanged since)
        and which products the delta holds (the delta is rebuilt from the token lists on load, so a snapshot never
        waits for a merge)."""
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            table, main, pending = self._tokens.table(), self._main, list(self._delta.written)
        table.save(folder)
        main.save(folder / SEGMENT, previous / SEGMENT if previous is not None else None)
        (folder / "lexical-delta.json").write_text(json.dumps(pending))
        if main.bm25 is not None and not main.mapped:  # a build in the heap: read from the file instead (page cache)
            mapped = Segment.load(folder / SEGMENT, main.generation)
            with self._lock:
                if self._main is main:
                    self._main = mapped

    @classmethod
    def built_from(cls, tokenizer: Tokenizer, texts: Iterable[tuple[int, str]]) -> LexicalIndex:
        """An index of (key, text) pairs built in one pass: every text tokenised, then one main segment (no merges on
        the way, as adding them a batch at a time would make)."""
        index = cls(tokenizer)
        for key, text in texts:
            index._tokens.put(int(key), interned(tokenizer(text)))
        index._generation += 1
        table = index._tokens.table()
        index._main, words = (built_aside if len(table.keys) >= MERGE_ASIDE_AT else built)(index._generation, table)
        index._alive = np.ones(len(index._main.keys), dtype=bool)
        if words is not None:
            index._tokens.adopt(words)
        return index

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer) -> LexicalIndex:
        """Read what `save` wrote: token lists, the main segment (built from the tokens when the snapshot has none)
        and the delta."""
        index = cls(tokenizer)
        tokens = TokenLists.load(folder)
        if tokens is None:
            return index
        index._tokens = tokens
        index._generation += 1
        delta = folder / "lexical-delta.json"
        if (folder / SEGMENT).exists() and delta.exists():
            index._main = Segment.load(folder / SEGMENT, index._generation)
            index._alive = np.ones(len(index._main.keys), dtype=bool)
            for key in json.loads(delta.read_text()):
                index._write(int(key), index._tokens.get(int(key)))
        else:
            index._main = Segment.build(index._generation, list(tokens.table().items()))
            index._alive = np.ones(len(index._main.keys), dtype=bool)
        return index
