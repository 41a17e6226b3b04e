"""Train the LightGBM LambdaMART ranker from logged impressions, clicks and purchases (position-aware)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopseek.app import ShopSeek
from shopseek.search.engine import Query
from shopseek.search.rank import FEATURES, RERANK_DEPTH, feature_rows

GAINS = {"click": 1, "cart": 2, "purchase": 3, "like": 3}


@dataclass
class LoggedSession:
    """Impressions of one search with the best engagement each shown product got."""

    user_id: str
    query: str
    at: float
    positions: dict[str, int]
    gains: dict[str, int]


def logged_sessions(shop: ShopSeek) -> list[LoggedSession]:
    """Group events into searches: same user and query, impressions starting a new search."""
    sessions: list[LoggedSession] = []
    open_session: dict[tuple[str, str], LoggedSession] = {}
    for at, event in shop.events.all_events():
        key = (event.user_id, event.query or "")
        if event.type == "impression":
            current = open_session.get(key)
            if current is None or event.product_id in current.positions:
                current = LoggedSession(event.user_id, event.query or "", at, {}, defaultdict(int))
                open_session[key] = current
                sessions.append(current)
            current.positions[event.product_id] = int(event.value or len(current.positions) + 1)
        elif key in open_session and event.type in GAINS:
            gains = open_session[key].gains
            gains[event.product_id] = max(gains[event.product_id], GAINS[event.type])
    return [s for s in sessions if s.query and s.positions]


def training_rows(shop: ShopSeek, sessions: list[LoggedSession]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Features (with the logged position), graded labels and group sizes for shown products."""
    features, labels, groups = [], [], []
    for session in sessions:
        profile = shop.profile(session.user_id, before=session.at)
        lists, fused = shop.engine.candidates(Query(session.query, k=RERANK_DEPTH, profile=profile))
        candidates = shop.engine.describe(fused[: RERANK_DEPTH * 2], before=session.at)
        ids = {key: pid for pid in session.positions if (key := shop.store.key_of(pid)) is not None}
        rows = []
        for candidate in candidates:
            product_id = ids.get(candidate.key)
            if product_id is None:
                continue
            position = float(session.positions[product_id])
            rows.append((feature_rows([candidate], lists, position=position)[0], session.gains.get(product_id, 0)))
        if len(rows) >= 2 and any(label for _, label in rows):
            features += [row for row, _ in rows]
            labels += [label for _, label in rows]
            groups.append(len(rows))
    return np.asarray(features, np.float32).reshape(-1, len(FEATURES)), np.asarray(labels), groups


def train_ranker(shop: ShopSeek, seed: int = 0) -> tuple[Path, dict[str, object]]:
    """Fit LambdaMART on the index's logs and save it where the service picks it up without a restart."""
    import lightgbm

    sessions = logged_sessions(shop)
    features, labels, groups = training_rows(shop, sessions)
    if not groups:
        raise ValueError("no logged searches with clicks yet: nothing to learn from")
    model = lightgbm.LGBMRanker(
        objective="lambdarank",
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=20,
        random_state=seed,
        deterministic=True,
        force_row_wise=True,
        verbose=-1,
    )
    model.fit(features, labels, group=groups, feature_name=FEATURES)
    folder = shop.folder / "ranker"
    folder.mkdir(exist_ok=True)
    path = folder / f"ranker-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}.txt"
    temporary = path.with_suffix(".tmp")
    model.booster_.save_model(str(temporary))
    temporary.replace(path)
    importance = dict(zip(FEATURES, model.booster_.feature_importance("gain").round(1).tolist(), strict=True))
    top = dict(sorted(importance.items(), key=lambda item: -item[1])[:8])
    return path, {"sessions": len(groups), "rows": len(labels), "top_features": top}
