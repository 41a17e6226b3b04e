"""User profiles built on the fly from events: a decayed interest vector, a dislike vector and exclusions."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from shopseek.encoders.base import normalize
from shopseek.feedback.events import ENGAGEMENT, VOTES, Event
from shopseek.language import normalize_text

EVENT_WEIGHTS = {**ENGAGEMENT, "dwell": 0.5, "dislike": 3.0}  # what each event says about taste
HALF_LIFE_S = 14 * 24 * 3600.0
DWELL_FULL_S = 60.0

VectorOf = Callable[[str], np.ndarray | None]


def query_key(text: str | None) -> str:
    """The form of a query that a dislike is remembered under."""
    return " ".join(normalize_text(text or "").split())


@dataclass
class Profile:
    """What a shopper's events say about their taste."""

    user_id: str
    positive: np.ndarray | None = None
    negative: np.ndarray | None = None
    disliked_for: dict[str, set[str]] = field(default_factory=dict)
    interacted: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        """True when there is nothing to personalise with."""
        return self.positive is None and self.negative is None and not self.disliked_for

    def excludes(self, product_id: str, query: str) -> bool:
        """True when the shopper disliked this product for this query (or with no query)."""
        queries = self.disliked_for.get(product_id, set())
        return query_key(query) in queries or "" in queries

    def affinity(self, vectors: np.ndarray) -> np.ndarray:
        """Interest minus half the dislike similarity, for unit product vectors."""
        score = np.zeros(len(vectors), dtype=np.float32)
        if self.positive is not None:
            score += vectors @ self.positive
        if self.negative is not None:
            score -= 0.5 * (vectors @ self.negative)
        return score


def build_profile(
    user_id: str, events: list[tuple[float, Event]], vector_of: VectorOf, now: float | None = None
) -> Profile:
    """Fold events (newest first) into a profile; older events count less (14-day half-life). Only a shopper's
    latest vote on a product counts: a like replaces a dislike, and `unvote` withdraws either."""
    now = now or time.time()
    profile = Profile(user_id)
    positive: list[np.ndarray] = []
    negative: list[np.ndarray] = []
    voted: set[str] = set()  # products whose vote a newer like, dislike or unvote already decided
    for at, event in events:
        if event.type in VOTES:
            if event.product_id in voted:
                continue
            voted.add(event.product_id)
        weight = EVENT_WEIGHTS.get(event.type, 0.0)
        if event.type == "dwell":
            weight *= min(1.0, (event.value or 0.0) / DWELL_FULL_S)
        if weight == 0.0:
            continue
        profile.interacted.add(event.product_id)
        if event.type == "dislike":
            profile.disliked_for.setdefault(event.product_id, set()).add(query_key(event.query))
        vector = vector_of(event.product_id)
        if vector is None:
            continue
        decayed = weight * math.pow(0.5, max(0.0, now - at) / HALF_LIFE_S)
        (negative if event.type == "dislike" else positive).append(decayed * vector)
    if positive:
        profile.positive = normalize(np.sum(positive, axis=0))
    if negative:
        profile.negative = normalize(np.sum(negative, axis=0))
    return profile
