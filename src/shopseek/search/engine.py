"""The search engine: recall per signal over the indexes, fuse, filter, paginate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from shopseek.catalog.schema import Product
from shopseek.catalog.store import Filters, ProductStore
from shopseek.config import Settings
from shopseek.encoders.base import Encoder, normalize
from shopseek.index.base import Hits
from shopseek.index.lexical import LexicalIndex
from shopseek.index.vectors import VectorIndex
from shopseek.search.fuse import FUSERS
from shopseek.search.understand import understand

IMAGE_NEIGHBOURS_FOR_TEXT = 5


class QueryError(ValueError):
    """A query the engine cannot run, with a message for the shopper."""


@dataclass(frozen=True)
class Query:
    """A shopper's query: words, a photo, or both, with filters and a page window."""

    text: str = ""
    image: Image.Image | None = None
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class Hit:
    """One result: the product, its fused score and the score each signal gave it."""

    key: int
    product: Product
    score: float
    signals: dict[str, float]
    image_count: int = 0


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, how many matched in all, and the time taken."""

    hits: list[Hit]
    total: int
    took_ms: float
    candidate_keys: list[int]


@dataclass
class Indexes:
    """The vector spaces and the lexical index an engine searches."""

    text: VectorIndex
    image: VectorIndex
    lexical: LexicalIndex


class SearchEngine:
    """Runs queries against a store and its indexes with one encoder and the index settings."""

    def __init__(self, store: ProductStore, indexes: Indexes, encoder: Encoder, settings: Settings) -> None:
        self.store = store
        self.indexes = indexes
        self.encoder = encoder
        self.settings = settings

    def recall(self, query: Query, allowed: np.ndarray | None) -> dict[str, Hits]:
        """Candidate lists per signal for a query."""
        depth = self.settings.recall_k
        lists: dict[str, Hits] = {}
        if query.text.strip():
            understood = understand(query.text)
            lists["lexical"] = self.indexes.lexical.search_tokens(understood.tokens, depth, allowed)
            vectors = self.encoder.encode_texts(understood.renditions, "query")
            text_query = normalize(vectors.mean(axis=0))
            lists["dense"] = self.indexes.text.search_one(text_query, depth, allowed)
        if query.image is not None:
            image_query = self.encoder.encode_image(query.image)
            lists["image"] = self.indexes.image.search_one(image_query, depth, allowed)
            lists["image_text"] = self._text_side_of_image(lists["image"], depth, allowed)
        return lists

    def _text_side_of_image(self, image_hits: Hits, depth: int, allowed: np.ndarray | None) -> Hits:
        """Products whose text is like the text of the photo's nearest products."""
        neighbours = [self.indexes.text.vector(key) for key, _ in image_hits[:IMAGE_NEIGHBOURS_FOR_TEXT]]
        found = [v for v in neighbours if v is not None]
        if not found:
            return []
        return self.indexes.text.search_one(normalize(np.mean(found, axis=0)), depth, allowed)

    def search(self, query: Query) -> SearchResult:
        """Recall, fuse, filter and return one page of hits."""
        if not query.text.strip() and query.image is None:
            raise QueryError("give words, a photo, or both")
        started = time.perf_counter()
        allowed = self.store.keys_matching(query.filters) if query.filters.active else None
        lists = self.recall(query, allowed)
        fused = FUSERS[self.settings.fusion](lists, self.settings.weights)
        page = fused[query.offset : query.offset + query.k]
        stored = self.store.get_many([key for key, _ in page])
        per_signal = {name: dict(hits) for name, hits in lists.items()}
        hits = [
            Hit(
                key,
                stored[key].product,
                score,
                {name: round(found[key], 4) for name, found in per_signal.items() if key in found},
                stored[key].image_count,
            )
            for key, score in page
            if key in stored
        ]
        took = (time.perf_counter() - started) * 1000
        return SearchResult(hits, len(fused), round(took, 2), [key for key, _ in fused])
