"""Learned ranking: per-candidate features and a LightGBM LambdaMART model that re-orders the top candidates."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from shopseek.config import SIGNALS
from shopseek.index.base import Hits

FEATURES = [
    *(f"{s}_score" for s in SIGNALS),
    *(f"{s}_rr" for s in SIGNALS),
    "fused_rr",
    "fused_score",
    "popularity",
    "query_engagement",
    "query_ctr",
    "price",
    "has_price",
    "has_image",
]
RERANK_DEPTH = 10  # when a model does not say how deep its logs reached: the first page
CTR_PRIOR = (0.1, 2.0)  # smoothing of a product's click-through under a query: (clicks + a) / (impressions + b)


class Behaviour(Protocol):
    """Logged shopper behaviour the ranker's features come from (the event log)."""

    def popularity(self, product_ids: list[str], before: float | None = None) -> dict[str, float]:
        """Weighted engagement per product."""
        ...

    def query_engagement(
        self, query: str, product_ids: list[str], before: float | None = None
    ) -> dict[str, tuple[float, float]]:
        """Per product, (weighted engagement, impressions) under one query."""
        ...

    def head(self) -> int:
        """Position of the newest logged event."""
        ...


@dataclass(frozen=True)
class Candidate:
    """What the ranker knows about one candidate besides its signal scores."""

    key: int
    fused_rank: int
    fused_score: float
    popularity: float
    query_engagement: float
    query_impressions: float
    price: float | None
    has_image: bool


def feature_rows(candidates: list[Candidate], lists: dict[str, Hits]) -> np.ndarray:
    """One feature row per candidate (display position is not a feature: training corrects for it instead)."""
    scores = {name: dict(hits) for name, hits in lists.items()}
    ranks = {name: {key: rank for rank, (key, _) in enumerate(hits, start=1)} for name, hits in lists.items()}
    rows = []
    for candidate in candidates:
        row = [scores.get(s, {}).get(candidate.key, 0.0) for s in SIGNALS]
        row += [1.0 / ranks[s][candidate.key] if candidate.key in ranks.get(s, {}) else 0.0 for s in SIGNALS]
        row += [
            1.0 / candidate.fused_rank,
            candidate.fused_score,
            math.log1p(candidate.popularity),
            math.log1p(candidate.query_engagement),
            (candidate.query_engagement + CTR_PRIOR[0]) / (candidate.query_impressions + CTR_PRIOR[1]),
            candidate.price if candidate.price is not None else -1.0,
            float(candidate.price is not None),
            float(candidate.has_image),
        ]
        rows.append(row)
    return np.asarray(rows, dtype=np.float32).reshape(len(candidates), len(FEATURES))


@dataclass(frozen=True)
class RankerModel:
    """One trained ranker: its file, its LightGBM booster, how many top candidates it re-orders and where its
    features are among today's (a model trained before a signal was added reads the features it knows)."""

    path: Path
    booster: Any
    depth: int
    columns: tuple[int, ...]

    def rerank(self, candidates: list[Candidate], lists: dict[str, Hits]) -> list[tuple[int, float]]:
        """Candidates ordered by model score."""
        if not candidates:
            return []
        predicted = self.booster.predict(feature_rows(candidates, lists)[:, list(self.columns)])
        order = np.argsort(-predicted, kind="stable")
        return [(candidates[i].key, float(predicted[i])) for i in order]


class LearnedRanker:
    """The newest model file of a folder, reloaded when a newer one appears."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._model: RankerModel | None = None
        self._outdated: Path | None = None

    def current(self) -> RankerModel | None:
        """The current model (None before any is trained); one directory listing per call."""
        files = sorted(self.folder.glob("ranker-*.txt")) if self.folder.exists() else []
        if files and files[-1] == self._outdated:
            return None
        if files and (self._model is None or self._model.path != files[-1]):
            import lightgbm

            newest = files[-1]
            card = newest.with_suffix(".json")
            # As deep as its training logs reached; older models without a card re-order the first page.
            depth = int(json.loads(card.read_text())["depth"]) if card.exists() else RERANK_DEPTH
            booster = lightgbm.Booster(model_file=str(newest))
            names = booster.feature_name()
            if not set(names) <= set(FEATURES):  # trained on features no longer computed: unused until trained again
                self._outdated, self._model = newest, None
                return None
            self._model = RankerModel(newest, booster, depth, tuple(FEATURES.index(name) for name in names))
        return self._model
