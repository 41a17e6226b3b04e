"""The relevance floor: which candidates have evidence that they answer a word query, so nonsense finds nothing.

Dense retrieval always returns nearest neighbours, however unrelated. Evidence is a lexical match of the query's
words (after typo correction and translation), or a text vector clearly closer to the query than the catalogue's
average product is (the margin over the query's similarity to the catalogue's centroid). Products without text
are judged by the photo-side signals only relative to their best match. Floors chosen on dev queries and nonsense
strings (benchmarks/relevance_floor.py); a catalogue without any text has no floor.
"""

from __future__ import annotations

from shopseek.index.base import Hits

PHOTO_WINDOW = 0.05  # a product without text counts when a photo-side signal scores it this close to its best


def margin(hits: Hits, background: float) -> dict[int, float]:
    """How far above the query's similarity to the average product each hit scores."""
    return {key: score - background for key, score in hits}


def answering(
    lexical: Hits,
    dense: dict[int, float],
    photo_side: list[Hits],
    has_text: set[int],
    query_margin: float,
    product_margin: float,
) -> set[int]:
    """Keys that answer the words; an empty set when the query means nothing to this catalogue (no word matches and
    no product `query_margin` above average). `dense` holds text margins, `has_text` the candidates with text."""
    matched = {key for key, _ in lexical}
    if not matched and max(dense.values(), default=-1.0) < query_margin:
        return set()
    answers = matched | {key for key, value in dense.items() if value >= product_margin}
    for hits in photo_side:
        if hits:
            best = hits[0][1]
            answers |= {key for key, score in hits if key not in has_text and score >= best - PHOTO_WINDOW}
    return answers
