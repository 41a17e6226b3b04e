"""BM25 lexical index (bm25s) over jieba + stemmed English tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from shopseek.index.base import Hits

Tokenizer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Built:
    """One complete BM25 build: searched as a whole, replaced as a whole (never seen half-built)."""

    generation: int = 0
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bm25: bm25s.BM25 | None = None
    vocab: dict[str, int] = field(default_factory=dict)


class LexicalIndex:
    """BM25 over tokenised product texts; the matrices are rebuilt aside in one pass after writes, then published
    with one reference assignment, so searches running meanwhile keep using the previous complete build."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenize = tokenizer
        self._tokens: dict[int, list[str]] = {}
        self._generation = 0  # bumped by every write; a build is current when it carries the same number
        self._built = Built()
        self._commit_lock = threading.Lock()

    def add(self, keys: list[int], texts: list[str]) -> None:
        """Add or replace the texts of products (searchable after `commit`)."""
        self._tokens.update((key, self._tokenize(text)) for key, text in zip(keys, texts, strict=True))
        self._generation += 1

    def delete(self, keys: list[int]) -> None:
        """Remove products; unknown keys are ignored."""
        for key in keys:
            self._tokens.pop(key, None)
        self._generation += 1

    def held_keys(self) -> list[int]:
        """Keys of the products held."""
        return list(self._tokens)

    def count(self) -> int:
        """Number of products held."""
        return len(self._tokens)

    def commit(self) -> Built:
        """The current build, rebuilt aside first when writes came since (one rebuild at a time)."""
        with self._commit_lock:
            if self._built.generation != self._generation:
                self._built = self._build()
            return self._built

    def _build(self) -> Built:
        generation, items = self._generation, list(self._tokens.items())
        keys = np.array([key for key, _ in items], dtype=np.int64)
        if not items:
            return Built(generation, keys)
        bm25 = bm25s.BM25()
        bm25.index([tokens or ["\u2205"] for _, tokens in items], show_progress=False)
        return Built(generation, keys, bm25, dict(bm25.vocab_dict))

    def _current(self) -> Built:
        built = self._built
        return built if built.generation == self._generation else self.commit()

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, BM25 score) pairs for already tokenised query words."""
        built = self._current()
        tokens = [t for t in tokens if t in built.vocab]
        if built.bm25 is None or not tokens or k <= 0:
            return []
        scores = np.asarray(built.bm25.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            scores = np.where(np.isin(built.keys, allowed), scores, 0.0)
        k = min(k, int((scores > 0).sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(built.keys[i]), float(scores[i])) for i in top]

    def save(self, folder: Path) -> None:
        """Write token lists; BM25 is rebuilt from them on load (about a second per 50k products)."""
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / "lexical.json.tmp"
        temporary.write_text(json.dumps({str(k): v for k, v in self._tokens.items()}, ensure_ascii=False))
        temporary.replace(folder / "lexical.json")

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer) -> LexicalIndex:
        """Read token lists written by `save` and rebuild BM25."""
        index = cls(tokenizer)
        path = folder / "lexical.json"
        if path.exists():
            index._tokens = {int(k): v for k, v in json.loads(path.read_text()).items()}
            index._generation += 1
        index.commit()
        return index
