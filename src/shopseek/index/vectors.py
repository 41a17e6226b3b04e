"""FAISS vector index over inner product: exact for small catalogues, IVF for large ones."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from shopseek.errors import IndexMismatch
from shopseek.index.base import Hits, rows_by_key, top_hits

# One thread per search: a query's FAISS work is small, and its OpenMP workers only compete with the encoders'.
faiss.omp_set_num_threads(1)

EXACT_LIMIT = 50_000
SMALL_FILTER = 20_000
FEW = 4  # an exact index scores a filter of at most a quarter of its vectors directly: reading them is cheaper
MIN_TRAINING = 1_000  # vectors needed before 8-bit codes are trained
TRAINING_PER_LIST = 64  # k-means sample per IVF list (FAISS would take up to 256: 4x the re-layout time)
TUNING_QUERIES = 200
TOP_K = 10  # recall is measured at 10
TARGET_RECALL = 0.95
NPROBES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
PCA_SAMPLE = 20_000  # vectors whose second moments give the principal directions
Compression = Literal["none", "sq8", "sq8-pca"]


def inner_products(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each row's inner product with the query, the same bits wherever the row sits (BLAS rounds rows at the edge of
    its blocks differently: equal vectors would stop tying)."""
    scores = np.empty(len(matrix), np.float32)
    rows, query = np.ascontiguousarray(matrix, dtype=np.float32), np.ascontiguousarray(query, dtype=np.float32)
    faiss.fvec_inner_products_ny(
        faiss.swig_ptr(scores), faiss.swig_ptr(query), faiss.swig_ptr(rows), len(query), len(rows)
    )
    return scores


def principal_directions(vectors: np.ndarray, dims: int) -> faiss.LinearTransform:
    """A projection onto the vectors' top principal directions, not centred (FAISS's PCAMatrix subtracts the mean,
    which would turn inner products into covariances and change the ranking): scores in the reduced space are the
    inner products of the projected vectors."""
    moments = vectors.T.astype(np.float64) @ vectors / max(len(vectors), 1)
    _, directions = np.linalg.eigh(moments)  # ascending eigenvalues
    projection = np.ascontiguousarray(directions[:, ::-1][:, :dims].T, dtype=np.float32)
    transform = faiss.LinearTransform(vectors.shape[1], dims, False)
    faiss.copy_array_to_vector(projection.ravel(), transform.A)
    transform.is_trained = True
    transform.set_is_orthonormal()
    return transform


def exact_top(keys: np.ndarray, vectors: np.ndarray, rows: np.ndarray) -> list[set[int]]:
    """The keys of the exact top 10 by inner product for each sampled row used as a query."""
    _, found = faiss.knn(np.ascontiguousarray(vectors[rows]), vectors, TOP_K, metric=faiss.METRIC_INNER_PRODUCT)
    return [set(keys[row[row >= 0]].tolist()) for row in found]


def ivf_lists(count: int) -> int:
    """A number of IVF lists suited to a catalogue size (about 2·sqrt(n))."""
    return max(64, int(2 * np.sqrt(count)))


class VectorIndex:
    """Unit vectors keyed by product key; cosine similarity by inner product."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.measured_recall: float | None = None  # recall@10 against exact search, measured by `tune`
        self._tuned_count = 0
        self._held = np.zeros(0, dtype=bool)  # by key: whether a vector is stored (keys are small integers)
        self._in_place: tuple[np.ndarray, np.ndarray] | None = None  # see `_rows`
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
        return "ivf" if isinstance(self._core, faiss.IndexIVF) else "exact"

    @functools.cached_property
    def _core(self) -> faiss.Index:
        """The index under any projection: an id map or IVF lists."""
        outer = faiss.downcast_index(self._index)
        return faiss.downcast_index(outer.index) if isinstance(outer, faiss.IndexPreTransform) else outer

    @property
    def stored_as(self) -> Compression:
        """How the vectors are held now: full floats, 8-bit scalar codes, or codes of their principal components."""
        if self._projection is not None:
            return "sq8-pca"
        inner = self._core
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
        self._in_place = None
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), keys)
        self._mark(keys, True)

    def delete(self, keys: list[int]) -> None:
        """Remove vectors; unknown keys are ignored (and cost nothing)."""
        stored = np.asarray(keys, dtype=np.int64)
        stored = stored[self.held(stored)]
        if len(stored):
            self._in_place = None
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
        if self._full_precision_exact:
            matrix, row_of = self._rows()
            return keys, matrix[row_of[keys]]
        if self._projection is not None:  # decoded where the codes live, then back into the full space in one product
            return keys, self._codes(keys) @ self._projection
        return keys, np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32).reshape(-1, self.dim)

    def search_one(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, cosine) pairs, only among `allowed` keys when given."""
        return self.search_many(query[None, :], k, allowed)[0]

    def search_many(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top-k (key, cosine) pairs for each query row."""
        if self.count() == 0 or k <= 0 or (allowed is not None and not len(allowed)):
            return [[] for _ in range(len(queries))]
        k = min(k, self.count())
        if allowed is not None and len(allowed) <= (SMALL_FILTER if self.kind == "ivf" else self.count() // FEW):
            return [self._search_among(query, k, allowed) for query in queries]
        params = self._params(allowed)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        scores, ids = self._index.search(queries, k, params=params)
        return [
            [(i, s) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
            for row_ids, row_scores in zip(ids.tolist(), scores.tolist(), strict=True)
        ]

    @functools.cached_property
    def _full_precision_exact(self) -> bool:
        """Whether the vectors are float32 rows of an exact index (read in place, without FAISS's per-key lookups)."""
        outer = faiss.downcast_index(self._index)
        return isinstance(outer, faiss.IndexIDMap2) and isinstance(faiss.downcast_index(outer.index), faiss.IndexFlat)

    @functools.cached_property
    def _projection(self) -> np.ndarray | None:
        """The principal directions a sq8-pca space keeps, one per row (None for a space kept whole)."""
        outer = faiss.downcast_index(self._index)
        if not isinstance(outer, faiss.IndexPreTransform):
            return None
        transform = faiss.downcast_VectorTransform(outer.chain.at(0))
        return faiss.vector_to_array(transform.A).reshape(transform.d_out, transform.d_in)

    def _codes(self, keys: np.ndarray) -> np.ndarray:
        """The decoded vectors of held keys in the space under any projection."""
        if not len(keys):
            return np.zeros((0, self._core.d), np.float32)
        return np.asarray(self._core.reconstruct_batch(keys), dtype=np.float32).reshape(len(keys), self._core.d)

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """A full-precision exact index read in place (valid until a write): its rows and the row of each held key."""
        if self._in_place is None:
            outer = faiss.downcast_index(self._index)
            flat, count = faiss.downcast_index(outer.index), self.count()
            matrix = faiss.rev_swig_ptr(flat.get_xb(), count * self.dim).reshape(count, self.dim)
            self._in_place = matrix, rows_by_key(faiss.vector_to_array(outer.id_map).astype(np.int64))
        return self._in_place

    def _search_among(self, query: np.ndarray, k: int, allowed: np.ndarray) -> Hits:
        """Exact search over a few allowed keys (so a narrow filter still yields k results from IVF lists)."""
        query = np.asarray(query, dtype=np.float32)
        present = np.unique(np.asarray(allowed, dtype=np.int64))
        present = present[self.held(present)]
        if self._full_precision_exact:  # only the span of the query's non-zero coordinates is read (a colour query)
            matrix, row_of = self._rows()
            used = np.flatnonzero(query)
            span = slice(int(used[0]), int(used[-1]) + 1) if len(used) else slice(0, 0)
            scores = inner_products(matrix[row_of[present], span], query[span])
        elif self._projection is not None:  # scored where the codes live: the query is projected once
            scores = inner_products(self._codes(present), self._projection @ query)
        else:
            scores = inner_products(self.vectors(present)[1], query)
        return top_hits(present, scores, k)

    def _params(self, allowed: np.ndarray | None) -> faiss.SearchParameters | None:
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)) if allowed is not None else None
        if self.kind == "ivf":
            return self._through_projection(faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe))
        return self._through_projection(faiss.SearchParameters(sel=selector)) if selector is not None else None

    def _through_projection(self, params: faiss.SearchParameters) -> faiss.SearchParameters:
        """Search parameters for the core index, handed through a projection when there is one."""
        if self._projection is None:
            return params
        wrapped = faiss.SearchParametersPreTransform()
        wrapped.index_params = params
        wrapped.referenced = params  # kept alive with the wrapper
        return wrapped

    @property
    def recall_at_10(self) -> float | None:
        """1 for exact search; for IVF, what `tune` measured (None before it ran)."""
        return 1.0 if self.kind == "exact" else self.measured_recall

    @property
    def nprobe(self) -> int:
        """IVF lists searched per query (0 for an exact index); chosen by `tune`, saved with the index."""
        inner = self._core
        return int(inner.nprobe) if isinstance(inner, faiss.IndexIVF) else 0

    def tune(self, keys: np.ndarray, vectors: np.ndarray, seed: int = 0, originals: np.ndarray | None = None) -> None:
        """Search the fewest IVF lists whose recall@10 against exact search, measured on a sample of the index's
        own vectors (`export`), reaches the target (the best measured when none does); exact search has recall 1.

        `originals` (aligned with `vectors`): the full vectors a projection was made from; the recall recorded is then
        against exact search over them (what the projection and the lists lose together), while the number of lists
        is still chosen on the index's own vectors (a projection's loss is not made up by searching more lists)."""
        inner = self._core
        self._tuned_count = len(vectors)
        if not isinstance(inner, faiss.IndexIVF) or not len(vectors):
            return
        rows = np.random.default_rng(seed).choice(len(vectors), min(TUNING_QUERIES, len(vectors)), replace=False)
        truth = exact_top(keys, vectors, rows)
        best = (0.0, NPROBES[-1])
        for nprobe in (n for n in NPROBES if n <= inner.nlist):
            recall = self._recall(vectors[rows], truth, nprobe)
            if recall > best[0]:
                best = (recall, nprobe)
            if recall >= TARGET_RECALL:
                break
        recall = best[0]
        if originals is not None:
            recall = self._recall(originals[rows], exact_top(keys, originals, rows), best[1])
        self.measured_recall, inner.nprobe = round(recall, 4), best[1]

    def _recall(self, queries: np.ndarray, truth: list[set[int]], nprobe: int) -> float:
        """Recall@10 of searching `nprobe` lists against the exact answers."""
        params = self._through_projection(faiss.SearchParametersIVF(nprobe=nprobe))
        _, found = self._index.search(np.ascontiguousarray(queries), TOP_K, params=params)
        return float(np.mean([len(set(f.tolist()) & t) / len(t) for f, t in zip(found, truth, strict=True)]))

    def rebuilt_for_size(self, compression: Compression = "none", directions: int | None = None) -> VectorIndex:
        """This index re-laid out to suit its current size (exact or IVF, IVF lists retrained once the catalogue has
        quadrupled) and a compression setting, its IVF search depth tuned on its own vectors (again whenever the
        catalogue has halved or doubled since).

        8-bit codes are trained on the vectors present; vectors added later share the trained ranges. With sq8-pca, a
        space given fewer `directions` than it has keeps the codes of its top principal directions (found on the
        vectors present); the vectors it gives back are projected back into the full space.
        """
        count = self.count()
        wants_ivf = count > EXACT_LIMIT
        wanted: Compression = "none"
        if compression != "none" and count >= MIN_TRAINING:
            narrower = compression == "sq8-pca" and directions is not None and directions < self.dim
            wanted = "sq8-pca" if narrower else "sq8"
        inner = self._core
        outgrown = isinstance(inner, faiss.IndexIVF) and ivf_lists(count) > 2 * inner.nlist  # lists grew too long
        dims = directions if wanted == "sq8-pca" and directions else self.dim
        reshaped = self._core.d != dims  # laid out for another number of directions
        if wants_ivf == (self.kind == "ivf") and self.stored_as == wanted and not outgrown and not reshaped:
            if self.kind == "ivf" and not self._tuned_count // 2 <= count <= 2 * self._tuned_count:
                self.tune(*self.export())
            return self
        keys, vectors = self.export()
        metric, sq8 = faiss.METRIC_INNER_PRODUCT, faiss.ScalarQuantizer.QT_8bit
        sample = vectors
        if wants_ivf:
            quantizer = faiss.IndexFlatIP(dims)
            lists = ivf_lists(count)
            if wanted != "none":
                core: faiss.Index = faiss.IndexIVFScalarQuantizer(quantizer, dims, lists, sq8, metric)
            else:
                core = faiss.IndexIVFFlat(quantizer, dims, lists, metric)
            rows = np.random.default_rng(0).choice(count, min(count, TRAINING_PER_LIST * lists), replace=False)
            sample = vectors[np.sort(rows)]
            core.set_direct_map_type(faiss.DirectMap.Hashtable)
        elif wanted != "none":
            core = faiss.IndexIDMap2(faiss.IndexScalarQuantizer(dims, sq8, metric))
        else:
            core = faiss.IndexIDMap2(faiss.IndexFlatIP(dims))
        index = core
        if wanted == "sq8-pca":
            index = faiss.IndexPreTransform(principal_directions(sample[:PCA_SAMPLE], dims), core)
        if wanted != "none" or wants_ivf:
            index.train(sample)
        fresh = VectorIndex(self.dim, index)
        fresh.add(keys, vectors)
        if wanted == "sq8-pca":
            fresh.tune(keys, fresh.vectors(keys)[1], originals=vectors)
        else:
            fresh.tune(keys, vectors)
        return fresh

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """All keys and their vectors."""
        return self.vectors(self._stored_keys())

    def _stored_keys(self) -> np.ndarray:
        """Every key the FAISS index holds, read from its id map or inverted lists."""
        inner = self._core
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

    def card(self) -> dict[str, object]:
        """The layout for the index card and /healthz: kind, codes, size, IVF lists searched, measured recall@10."""
        return {
            "kind": self.kind,
            "stored_as": self.stored_as,
            "count": self.count(),
            "nprobe": self.nprobe,
            "recall_at_10": self.recall_at_10,
        }

    def read_back(self, path: Path) -> VectorIndex:
        """This index as `save` wrote it to `path`, read again: FAISS grows an inverted list's storage by doubling as
        vectors arrive (5,000 writes grew a million products' image space by 530 MB); read back, it is exact."""
        found = VectorIndex.load(path, self.dim, self.measured_recall)
        found._tuned_count = self._tuned_count
        return found

    @classmethod
    def load(cls, path: Path, dim: int, recall_at_10: float | None = None) -> VectorIndex:
        """Read an index written by `save` (with the recall its card recorded; an IVF index without one is tuned
        again), or an empty one when the file is missing."""
        if not path.exists():
            return cls(dim)
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise IndexMismatch(
                f"{path} holds {index.d}-d vectors but the encoder makes {dim}-d ones: the index was built by another"
                " encoder version; rebuild it with `shopseek ingest`"
            )
        loaded = cls(dim, index)
        if isinstance(loaded._core, faiss.IndexIVF):
            loaded._core.set_direct_map_type(faiss.DirectMap.Hashtable)
        loaded.measured_recall, loaded._tuned_count = recall_at_10, loaded.count()
        if loaded.kind == "ivf" and recall_at_10 is None:
            loaded.tune(*loaded.export())
        return loaded
