"""The relevance floor: which candidates have evidence that they answer a word query, so nonsense finds nothing.

Dense retrieval always returns nearest neighbours, however unrelated. A query means something to a catalogue when
its words match product texts (after typo correction and translation) or when they are words of English or
Chinese at all; otherwise it finds nothing. Among the candidates of a meaningful query, a product answers when
its text matches the words, or its text vector scores close to the best text match, or a photo-side signal
(words to photos) scores it close to that signal's best. Windows chosen on dev queries (benchmarks/relevance_floor.py).
"""

from __future__ import annotations

from shopseek.index.base import Hits


def answering(
    lexical: Hits, dense: Hits, photo_side: list[Hits], meaningful: bool, dense_window: float, photo_window: float
) -> set[int]:
    """Keys that answer the words; an empty set when nothing matches and the words mean nothing. `dense` holds
    the text scores of the candidates (best first)."""
    matched = {key for key, _ in lexical}
    if not matched and not meaningful:
        return set()
    answers = matched
    for hits, window in ((dense, dense_window), *((hits, photo_window) for hits in photo_side)):
        if hits:
            answers |= {key for key, score in hits if score >= hits[0][1] - window}
    return answers
