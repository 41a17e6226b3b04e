"""Fusion of per-signal candidate lists: reciprocal-rank fusion or weighted normalised scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from operator import itemgetter

from shopseek.index.base import Hits

RRF_K = 60

Fuser = Callable[[Mapping[str, Hits], Mapping[str, float]], list[tuple[int, float]]]


def best_first(fused: dict[int, float]) -> list[tuple[int, float]]:
    """Keys by descending score, ties by ascending key (two stable sorts on C keys: no tuple per item)."""
    ranked = sorted(fused.items())
    ranked.sort(key=itemgetter(1), reverse=True)
    return ranked


def reciprocal_rank(lists: Mapping[str, Hits], weights: Mapping[str, float]) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion: sum of w / (60 + rank) over the signals that found a product.

    Tied scores share a rank (1, 2, 2, 4): an arbitrary order among equals must not look like evidence.
    """
    fused: dict[int, float] = defaultdict(float)
    for signal, hits in lists.items():
        weight = weights.get(signal, 1.0)
        rank, previous = 0, None
        for position, (key, score) in enumerate(hits, start=1):
            if score != previous:
                rank, previous = position, score
            fused[key] += weight / (RRF_K + rank)
    return best_first(fused)


def weighted_scores(lists: Mapping[str, Hits], weights: Mapping[str, float]) -> list[tuple[int, float]]:
    """Weighted sum of per-signal scores min-max normalised within each list."""
    fused: dict[int, float] = defaultdict(float)
    for signal, hits in lists.items():
        if not hits:
            continue
        scores = [s for _, s in hits]
        low, high = min(scores), max(scores)
        span = (high - low) or 1.0
        weight = weights.get(signal, 1.0)
        for key, score in hits:
            fused[key] += weight * ((score - low) / span if high > low else 1.0)
    return best_first(fused)


FUSERS: dict[str, Fuser] = {"rrf": reciprocal_rank, "weighted": weighted_scores}


def adding(fuser: Fuser, fused: list[tuple[int, float]], hits: Hits, weight: float) -> list[tuple[int, float]]:
    """A fusion with one more list's share added: both fusers sum over lists, so the others need no second pass."""
    total = dict(fused)
    for key, score in fuser({"added": hits}, {"added": weight}):
        total[key] = total.get(key, 0.0) + score
    return best_first(total)
