"""Offline proof with simulated shoppers: NDCG@10 and CTR per ranking policy on held-out sessions, with tests."""

from __future__ import annotations

import random

import numpy as np
from scipy import stats

from shopseek.app import ShopSeek
from shopseek.eval.metrics import evaluate
from shopseek.lab.fashion import FashionProduct
from shopseek.lab.simulator import Policy, Session, grade, play


def session_scores(
    shop: ShopSeek, sessions: list[Session], products: dict[str, FashionProduct], rank: Policy, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-session NDCG@10 (graded by the shopper's taste) and simulated click-through rate."""
    rng = random.Random(seed)
    ndcg, ctr = [], []
    for number, session in enumerate(sessions):
        shown = rank(shop, session)
        qrels = {
            str(number): {
                pid: g for pid, p in products.items() if (g := grade(session.shopper, session.article_type, p))
            }
        }
        run = {str(number): {pid: float(len(shown) - i) for i, pid in enumerate(shown)}}
        ndcg.append(evaluate(qrels, run, ["nDCG@10"])["nDCG@10"] if qrels[str(number)] else 0.0)
        events = play(session, shown, products, rng)
        clicks = sum(kind == "click" for _, kind, _ in events)
        ctr.append(clicks / max(1, len(shown)))
    return np.asarray(ndcg), np.asarray(ctr)


def compare(baseline: np.ndarray, treatment: np.ndarray) -> dict[str, float]:
    """Mean gain, relative gain and a paired t-test p-value."""
    result = stats.ttest_rel(treatment, baseline)
    gain = float(treatment.mean() - baseline.mean())
    return {
        "gain": round(gain, 4),
        "relative": round(gain / baseline.mean(), 4) if baseline.mean() else 0.0,
        "p_value": float(f"{result.pvalue:.3g}"),
    }


def evaluate_policies(
    shop: ShopSeek, sessions: list[Session], products: dict[str, FashionProduct], policies: dict[str, Policy]
) -> dict[str, object]:
    """Every policy's mean NDCG@10 and CTR, and each policy compared with plain fusion (same sessions)."""
    scores = {name: session_scores(shop, sessions, products, rank, seed=17) for name, rank in policies.items()}
    summary: dict[str, object] = {
        name: {"ndcg@10": round(float(n.mean()), 4), "ctr": round(float(c.mean()), 4)}
        for name, (n, c) in scores.items()
    }
    comparisons = {}
    pairs = [("personalised", "fusion"), ("learned", "fusion"), ("learned+personalised", "personalised")]
    for treatment, baseline in pairs:
        if treatment in scores and baseline in scores:
            comparisons[f"{treatment} vs {baseline}"] = {
                "ndcg@10": compare(scores[baseline][0], scores[treatment][0]),
                "ctr": compare(scores[baseline][1], scores[treatment][1]),
            }
    return {"sessions": len(sessions), "policies": summary, "comparisons": comparisons}
