"""FAISS vector index over inner product: exact for small catalogues, IVF for large ones."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from shopseek.errors import IndexMismatch
from shopseek.index.base import Hits

EXACT_LIMIT = 50_000
SMALL_FILTER = 20_000
MIN_TRAINING = 1_000  # vectors needed before 8-bit codes are trained
Compression = Literal["none", "sq8"]


def ivf_lists(count: int) -> int:
    """A number of IVF lists suited to a catalogue size (about 2·sqrt(n))."""
    return max(64, int(2 * np.sqrt(count)))


class VectorIndex:
    """Unit vectors keyed by product key; cosine similarity by inner product."""

    def __init__(self, dim: int, index: faiss.Index | None = None, nprobe: int = 48) -> None:
        self.dim = dim
        self.nprobe = nprobe
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._held = np.zeros(0, dtype=bool)  # by key: whether a vector is stored (keys are small integers)
        self._mark(self._stored_keys(), True)

    def _mark(self, keys: np.ndarray, held: bool) -> None:
        """Record keys as held or not (grows the presence map as keys grow)."""
        if not len(keys):
            return
        if int(keys.max()) >= len(self._held):
            grown = np.zeros(max(int(keys.max()) + 1, 2 * len(self._held)), dtype=bool)
            grown[: len(self._held)] = self._held
            self._held = grown
        self._held[keys] = held

    def held(self, keys: np.ndarray) -> np.ndarray:
        """Which of these keys have a stored vector."""
        keys = np.asarray(keys, dtype=np.int64)
        inside = (keys >= 0) & (keys < len(self._held))
        found = np.zeros(len(keys), dtype=bool)
        found[inside] = self._held[keys[inside]]
        return found

    @property
    def kind(self) -> str:
        """`exact` or `ivf`, for reports."""
        return "ivf" if isinstance(faiss.downcast_index(self._index), faiss.IndexIVF) else "exact"

    @property
    def stored_as(self) -> Compression:
        """How the vectors are held now: full floats or 8-bit scalar codes."""
        inner = faiss.downcast_index(self._index)
        if isinstance(inner, faiss.IndexIDMap2):
            inner = faiss.downcast_index(inner.index)
        quantised = isinstance(inner, (faiss.IndexScalarQuantizer, faiss.IndexIVFScalarQuantizer))
        return "sq8" if quantised else "none"

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors for the given keys."""
        keys = np.asarray(keys, dtype=np.int64)
        if not len(keys):
            return
        self.delete(keys.tolist())
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), keys)
        self._mark(keys, True)

    def delete(self, keys: list[int]) -> None:
        """Remove vectors; unknown keys are ignored (and cost nothing)."""
        stored = np.asarray(keys, dtype=np.int64)
        stored = stored[self.held(stored)]
        if len(stored):
            self._index.remove_ids(stored)
            self._mark(stored, False)

    def count(self) -> int:
        """Number of vectors."""
        return int(self._index.ntotal)

    def vector(self, key: int) -> np.ndarray | None:
        """The stored vector of a key, or None."""
        keys, found = self.vectors(np.array([key], dtype=np.int64))
        return found[0] if len(keys) else None

    def vectors(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The keys among these that have a vector (in the order given) and their vectors, read in one call."""
        keys = np.asarray(keys, dtype=np.int64)
        keys = keys[self.held(keys)]
        if not len(keys):
            return keys, np.zeros((0, self.dim), np.float32)
        return keys, np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32).reshape(-1, self.dim)

    def search_one(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, cosine) pairs, only among `allowed` keys when given."""
        return self.search_many(query[None, :], k, allowed)[0]

    def search_many(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top-k (key, cosine) pairs for each query row."""
        if self.count() == 0 or k <= 0 or (allowed is not None and not len(allowed)):
            return [[] for _ in range(len(queries))]
        k = min(k, self.count())
        if allowed is not None and self.kind == "ivf" and len(allowed) <= SMALL_FILTER:
            return [self._search_among(query, k, allowed) for query in queries]
        params = self._params(allowed)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        scores, ids = self._index.search(queries, k, params=params)
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]

    def _search_among(self, query: np.ndarray, k: int, allowed: np.ndarray) -> Hits:
        """Exact search over a few allowed keys, so a narrow filter still yields k results."""
        present, matrix = self.vectors(np.unique(np.asarray(allowed, dtype=np.int64)))
        scores = matrix @ np.asarray(query, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(present[i]), float(scores[i])) for i in order]

    def _params(self, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)) if allowed is not None else None
        if self.kind == "ivf":
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)
        return faiss.SearchParameters(sel=selector) if selector is not None else None

    def rebuilt_for_size(self, compression: Compression = "none") -> VectorIndex:
        """This index re-laid out to suit its current size (exact or IVF) and a compression setting.

        8-bit codes are trained on the vectors present; vectors added later share the trained ranges.
        """
        count = self.count()
        wants_ivf = count > EXACT_LIMIT
        wants_codes = compression == "sq8" and count >= MIN_TRAINING
        if wants_ivf == (self.kind == "ivf") and (self.stored_as == "sq8") == wants_codes:
            return self
        keys, vectors = self.export()
        metric, sq8 = faiss.METRIC_INNER_PRODUCT, faiss.ScalarQuantizer.QT_8bit
        if wants_ivf:
            quantizer = faiss.IndexFlatIP(self.dim)
            lists = ivf_lists(count)
            if wants_codes:
                ivf = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, lists, sq8, metric)
            else:
                ivf = faiss.IndexIVFFlat(quantizer, self.dim, lists, metric)
            ivf.train(vectors)
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
            index = ivf
        elif wants_codes:
            flat = faiss.IndexScalarQuantizer(self.dim, sq8, metric)
            flat.train(vectors)
            index = faiss.IndexIDMap2(flat)
        else:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        fresh = VectorIndex(self.dim, index, self.nprobe)
        fresh.add(keys, vectors)
        return fresh

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """All keys and their vectors."""
        return self.vectors(self._stored_keys())

    def _stored_keys(self) -> np.ndarray:
        """Every key the FAISS index holds, read from its id map or inverted lists."""
        inner = faiss.downcast_index(self._index)
        if isinstance(inner, faiss.IndexIDMap2):
            return faiss.vector_to_array(inner.id_map).astype(np.int64)
        invlists = inner.invlists
        sizes = [(n, invlists.list_size(n)) for n in range(inner.nlist)]
        return np.concatenate(
            [np.zeros(0, np.int64)]
            + [np.array(faiss.rev_swig_ptr(invlists.get_ids(n), size), np.int64) for n, size in sizes if size]
        )

    def save(self, path: Path) -> None:
        """Write atomically to `path`."""
        temporary = path.with_suffix(".tmp")
        faiss.write_index(self._index, str(temporary))
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path, dim: int) -> VectorIndex:
        """Read an index written by `save`, or an empty one when the file is missing."""
        if not path.exists():
            return cls(dim)
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise IndexMismatch(
                f"{path} holds {index.d}-d vectors but the encoder makes {dim}-d ones: the index was built by another"
                " encoder version; rebuild it with `shopseek ingest`"
            )
        inner = faiss.downcast_index(index)
        if isinstance(inner, faiss.IndexIVF):
            inner.set_direct_map_type(faiss.DirectMap.Hashtable)
        return cls(dim, index)
