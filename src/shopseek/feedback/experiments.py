"""A/B experiments: deterministic assignment by user id, variant settings, and per-variant reports."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import defaultdict
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, model_validator
from scipy import stats

from shopseek.feedback.events import EventLog
from shopseek.feedback.searches import logged_searches


class Variant(BaseModel):
    """What a variant changes: the learned ranker, personalisation and fusion weights."""

    learned_ranking: bool = True
    personalised: bool = True
    weights: dict[str, Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]] = Field(default_factory=dict)
    share: int = Field(default=50, ge=0, le=100, description="Percent of users")


class Experiment(BaseModel):
    """Named variants whose shares add up to 100."""

    variants: dict[str, Variant] = Field(min_length=2, max_length=10)
    active: bool = True

    @model_validator(mode="after")
    def _shares_add_up(self) -> Experiment:
        if sum(v.share for v in self.variants.values()) != 100:
            raise ValueError("variant shares must add up to 100")
        return self


def bucket(name: str, user_id: str) -> int:
    """A stable 0-99 bucket for a user in an experiment."""
    return int(hashlib.sha1(f"{name}:{user_id}".encode()).hexdigest(), 16) % 100


class Experiments:
    """Experiments stored as JSON in the index folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        raw = json.loads(path.read_text()) if path.exists() else {}
        self._experiments = {name: Experiment.model_validate(spec) for name, spec in raw.items()}

    def put(self, name: str, experiment: Experiment) -> None:
        """Create or replace an experiment."""
        with self._lock:
            self._experiments[name] = experiment
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps({n: e.model_dump() for n, e in self._experiments.items()}, indent=2))
            temporary.replace(self.path)

    def get(self, name: str) -> Experiment | None:
        """An experiment by name."""
        return self._experiments.get(name)

    def names(self) -> list[str]:
        """All experiment names."""
        return sorted(self._experiments)

    def assign(self, name: str, user_id: str) -> str:
        """The variant a user sees in an experiment (same user, same variant, always)."""
        experiment = self._experiments[name]
        point, total = bucket(name, user_id), 0
        for variant, spec in experiment.variants.items():
            total += spec.share
            if point < total:
                return variant
        return next(iter(experiment.variants))

    def active_for(self, user_id: str) -> tuple[str, str, Variant] | None:
        """The first active experiment's (name, variant, settings) for a user, if any."""
        for name in self.names():
            experiment = self._experiments[name]
            if experiment.active:
                variant = self.assign(name, user_id)
                return name, variant, experiment.variants[variant]
        return None

    def report(self, name: str, events: EventLog) -> dict[str, object]:
        """Per-variant users, searches, CTR, conversion and NDCG-from-clicks, with a chi-squared test on CTR."""
        names = list(self._experiments[name].variants)
        counts: dict[str, dict[str, float]] = {v: defaultdict(float) for v in names}
        users: dict[str, set[str]] = {v: set() for v in names}
        logged = events.all_events()
        for _, event in logged:
            variant = self.assign(name, event.user_id)
            users[variant].add(event.user_id)
            if event.type == "impression":
                counts[variant]["impressions"] += 1
            elif event.type in ("click", "purchase"):
                counts[variant][f"{event.type}s"] += 1
        ndcg: dict[str, list[float]] = {v: [] for v in names}
        for search in logged_searches(logged):
            variant, clicked = self.assign(name, search.user_id), search.clicked_positions()
            counts[variant]["searches"] += 1
            ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, len(clicked) + 1))
            gained = sum(1.0 / math.log2(position + 1) for position in clicked)
            ndcg[variant].append(gained / ideal if ideal else 0.0)
        table = {variant: _row(counts[variant], len(users[variant]), ndcg[variant]) for variant in names}
        contingency = [[table[v]["clicks"], table[v]["impressions"] - table[v]["clicks"]] for v in names]
        p_value = None
        if all(sum(row) > 0 for row in contingency) and sum(row[0] for row in contingency) > 0:
            p_value = float(f"{stats.chi2_contingency(contingency).pvalue:.3g}")
        return {"experiment": name, "variants": table, "ctr_chi2_p_value": p_value}


def _row(counts: dict[str, float], users: int, ndcg: list[float]) -> dict[str, float]:
    """One variant's line of the report."""
    impressions, searches = counts["impressions"], counts["searches"]
    return {
        "users": users,
        "searches": int(searches),
        "impressions": int(impressions),
        "clicks": int(counts["clicks"]),
        "purchases": int(counts["purchases"]),
        "ctr": round(counts["clicks"] / impressions, 4) if impressions else 0.0,
        "conversion": round(counts["purchases"] / searches, 4) if searches else 0.0,
        "ndcg_from_clicks": round(sum(ndcg) / len(ndcg), 4) if ndcg else 0.0,
    }
