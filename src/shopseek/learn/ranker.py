"""Train the LightGBM LambdaMART ranker from logged impressions, clicks and purchases (position-aware)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopseek.app import ShopSeek
from shopseek.errors import NotEnoughData
from shopseek.feedback.searches import LoggedSearch, logged_searches
from shopseek.search.engine import Query
from shopseek.search.rank import FEATURES, RERANK_DEPTH, feature_rows

CANDIDATE_POOL = 100  # how deep the fused list is searched for the products a logged search showed
SESSIONS_PER_SHOPPER_QUERY = 3  # the most searches one shopper's repeats of one query teach the ranker


def logged_sessions(shop: ShopSeek) -> list[LoggedSearch]:
    """The logged searches with words and impressions that the ranker learns from (capped per shopper and query)."""
    return capped([s for s in logged_searches(shop.events.all_events()) if s.query and s.positions])


def capped(sessions: list[LoggedSearch]) -> list[LoggedSearch]:
    """Each shopper's last few searches per query only, so a few shoppers repeating one search cannot outvote
    many shoppers searching once."""
    kept: dict[tuple[str, str], list[LoggedSearch]] = defaultdict(list)
    for session in sessions:
        kept[(session.user_id, session.query)].append(session)
    allowed = {id(s) for group in kept.values() for s in group[-SESSIONS_PER_SHOPPER_QUERY:]}
    return [s for s in sessions if id(s) in allowed]


@dataclass
class TrainingRows:
    """Shown products of logged searches: features as of the search, graded labels, display positions, groups."""

    features: np.ndarray
    labels: np.ndarray
    positions: np.ndarray
    groups: list[int]
    fused_ranks: list[int]


def training_rows(shop: ShopSeek, sessions: list[LoggedSearch]) -> TrainingRows:
    """One row per shown product of each logged search that got any engagement."""
    features, labels, positions, groups, fused_ranks = [], [], [], [], []
    for session in sessions:
        profile = shop.profile(session.user_id, before=session.at)
        lists, fused = shop.engine.candidates(Query(session.query, k=CANDIDATE_POOL, profile=profile))
        candidates = shop.engine.describe(session.query, fused[:CANDIDATE_POOL], before=session.at)
        ids = {key: pid for pid in session.positions if (key := shop.store.key_of(pid)) is not None}
        shown = [(candidate, ids[candidate.key]) for candidate in candidates if candidate.key in ids]
        gains = [session.gains.get(product_id, 0) for _, product_id in shown]
        if len(shown) >= 2 and any(gains):
            features.append(feature_rows([candidate for candidate, _ in shown], lists))
            labels += gains
            positions += [session.positions[product_id] - 1 for _, product_id in shown]
            groups.append(len(shown))
            fused_ranks += [candidate.fused_rank for candidate, _ in shown]
    stacked = np.concatenate(features) if features else np.zeros((0, len(FEATURES)), np.float32)
    return TrainingRows(stacked, np.asarray(labels), np.asarray(positions, np.int32), groups, fused_ranks)


def train_ranker(shop: ShopSeek, seed: int = 0) -> tuple[Path, dict[str, object]]:
    """Fit LambdaMART on the index's logs and save it where the service picks it up without a restart."""
    import lightgbm

    rows = training_rows(shop, logged_sessions(shop))
    if not rows.groups:
        raise NotEnoughData("no logged searches with clicks yet: nothing to learn from")
    # Unbiased LambdaMART: LightGBM learns how much each display position is looked at, alongside relevance.
    data = lightgbm.Dataset(
        rows.features, rows.labels, group=rows.groups, position=rows.positions, feature_name=FEATURES
    )
    params = {
        "objective": "lambdarank",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 20,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbose": -1,
    }
    booster = lightgbm.train(params, data, num_boost_round=200)
    folder = shop.folder / "ranker"
    folder.mkdir(exist_ok=True)
    path = folder / f"ranker-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}.txt"
    depth = int(np.clip(np.percentile(rows.fused_ranks, 95), RERANK_DEPTH, CANDIDATE_POOL))
    path.with_suffix(".json").write_text(json.dumps({"depth": depth}))  # before the model appears
    temporary = path.with_suffix(".tmp")
    booster.save_model(str(temporary))
    temporary.replace(path)
    importance = dict(zip(FEATURES, booster.feature_importance("gain").round(1).tolist(), strict=True))
    top = dict(sorted(importance.items(), key=lambda item: -item[1])[:8])
    summary = {"sessions": len(rows.groups), "rows": len(rows.labels), "rerank_depth": depth, "top_features": top}
    return path, summary
