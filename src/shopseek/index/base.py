"""What every index answers and the contract the engine searches through: local FAISS/BM25 or Ray shard facades."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np

Hits = list[tuple[int, float]]  # (product key, score), best first


def rows_by_key(keys: np.ndarray) -> np.ndarray:
    """Each key's row among `keys`, indexed by key (-1 for keys not among them): 4 bytes a product, not a dict entry."""
    rows = np.full(int(keys.max()) + 1 if len(keys) else 0, -1, dtype=np.int32)
    rows[keys] = np.arange(len(keys), dtype=np.int32)
    return rows


def top_hits(keys: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """The k best-scoring keys, best first; equal scores go to the smaller key (so shards merge into one order)."""
    if k <= 0 or not len(scores):
        return []
    cut = scores[np.argpartition(-scores, k - 1)[k - 1]] if k < len(scores) else scores.min()
    top = np.flatnonzero(scores >= cut)  # every tie at the cut competes
    top = top[np.lexsort((keys[top], -scores[top]))][:k]
    return list(zip(keys[top].tolist(), scores[top].tolist(), strict=True))


class VectorSpace(Protocol):
    """Unit vectors keyed by product key, searched by cosine similarity."""

    def search_one(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k hits for one query vector (only among `allowed` keys when given)."""
        ...

    def search_many(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top-k hits for each query vector."""
        ...

    def vector(self, key: int) -> np.ndarray | None:
        """The stored vector of a key, or None."""
        ...

    def held(self, keys: np.ndarray) -> np.ndarray:
        """Which of these keys have a stored vector."""
        ...

    def vectors(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The keys among these that have a vector, in the order given, and their vectors (one read)."""
        ...

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key and its vector."""
        ...

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors."""
        ...

    def delete(self, keys: list[int]) -> None:
        """Remove keys (unknown keys are ignored)."""
        ...

    def count(self) -> int:
        """Entries held."""
        ...


class TextIndex(Protocol):
    """Product texts searched by BM25 over tokens; a write is searchable when it returns."""

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k hits for a tokenised query."""
        ...

    def add(self, keys: list[int], texts: list[str]) -> None:
        """Add or replace product texts."""
        ...

    def delete(self, keys: list[int]) -> None:
        """Remove products."""
        ...

    def count(self) -> int:
        """Products held."""
        ...

    def holding(self, keys: list[int], tokens: list[str]) -> set[int]:
        """The keys among these whose text holds any of the tokens."""
        ...


V = TypeVar("V", bound=VectorSpace, covariant=True)
L = TypeVar("L", bound=TextIndex, covariant=True)


@dataclass(frozen=True)
class Indexes(Generic[V, L]):
    """The vector spaces and the lexical index an engine searches (replaced whole, never edited in place)."""

    text: V
    image: V
    lexical: L
    joint_text: V
    joint_image: V
    visual_words: V

    def all(self) -> list[V | L]:
        """Every index, for writes that touch them all."""
        return [self.text, self.image, self.lexical, self.joint_text, self.joint_image, self.visual_words]
