"""BM25 lexical index (bm25s) over jieba + stemmed English tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np

from shopseek.index.base import Hits

Tokenizer = Callable[[str], list[str]]


class LexicalIndex:
    """BM25 over tokenised product texts; the matrices are rebuilt in one pass on `commit` after writes."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenize = tokenizer
        self._tokens: dict[int, list[str]] = {}
        self._bm25: bm25s.BM25 | None = None
        self._keys = np.zeros(0, dtype=np.int64)
        self._vocab: dict[str, int] = {}
        self._dirty = False
        self._commit_lock = threading.Lock()

    def add(self, keys: list[int], texts: list[str]) -> None:
        """Add or replace the texts of products (searchable after `commit`)."""
        self._tokens.update((key, self._tokenize(text)) for key, text in zip(keys, texts, strict=True))
        self._dirty = True

    def delete(self, keys: list[int]) -> None:
        """Remove products; unknown keys are ignored."""
        for key in keys:
            self._tokens.pop(key, None)
        self._dirty = True

    def held_keys(self) -> list[int]:
        """Keys of the products held."""
        return list(self._tokens)

    def count(self) -> int:
        """Number of products held."""
        return len(self._tokens)

    def commit(self) -> None:
        """Rebuild the BM25 matrices from the current token lists (one rebuild at a time)."""
        with self._commit_lock:
            self._rebuild()

    def _rebuild(self) -> None:
        self._dirty = False
        self._keys = np.fromiter(self._tokens, dtype=np.int64, count=len(self._tokens))
        corpus = [self._tokens[int(k)] or ["\u2205"] for k in self._keys]
        if not corpus:
            self._bm25, self._vocab = None, {}
            return
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab = dict(self._bm25.vocab_dict)

    def search_one(self, query: object, k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, BM25 score) pairs with a positive score for a query string."""
        if self._dirty:
            self.commit()
        tokens = [t for t in self._tokenize(str(query)) if t in self._vocab]
        return self.search_tokens(tokens, k, allowed)

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, BM25 score) pairs for already tokenised query words."""
        if self._dirty:
            self.commit()
        tokens = [t for t in tokens if t in self._vocab]
        if self._bm25 is None or not tokens or k <= 0:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            scores = np.where(np.isin(self._keys, allowed), scores, 0.0)
        k = min(k, int((scores > 0).sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self._keys[i]), float(scores[i])) for i in top]

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
        index.commit()
        return index
