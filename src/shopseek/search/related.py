"""Searches that start from a product or a shopper instead of a query: similar products and for-you picks."""

from __future__ import annotations

from shopseek.feedback.profiles import Profile
from shopseek.index.base import Hits
from shopseek.search.engine import Hit, SearchEngine
from shopseek.search.fuse import reciprocal_rank

EXTRA_DEPTH = 10


def similar(engine: SearchEngine, key: int, k: int) -> list[Hit]:
    """Products nearest to one product by its photo and by its text, fused like a search."""
    lists: dict[str, Hits] = {}
    for name, index in (("image", engine.indexes.image), ("dense", engine.indexes.text)):
        vector = index.vector(key)
        if vector is not None:
            lists[name] = [hit for hit in index.search_one(vector, k + 1) if hit[0] != key]
    return engine.hits(reciprocal_rank(lists, engine.settings.fusion_weights())[:k], lists)


def recommend(engine: SearchEngine, profile: Profile, k: int) -> list[Hit]:
    """Products nearest to a shopper's interest, minus those they clicked, carted, bought, liked or disliked."""
    if profile.positive is None:
        return []
    indexes = engine.indexes
    spaces = [indexes.joint_image, indexes.joint_text] if engine.encoder.cross_modal else [indexes.text]
    depth = k + len(profile.interacted) + EXTRA_DEPTH
    fused = reciprocal_rank({f"space{n}": s.search_one(profile.positive, depth) for n, s in enumerate(spaces)}, {})
    seen = {key for product_id in profile.interacted if (key := engine.store.key_of(product_id)) is not None}
    ranked = [(key, score) for key, score in fused if key not in seen][:k]
    return engine.hits(ranked, {"personal": ranked})
