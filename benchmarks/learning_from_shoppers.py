"""Learning from shoppers on the held-out fashion index: simulated logs, learned ranker, personalisation, A/B.

Run: .venv/bin/python -m benchmarks.learning_from_shoppers   (copies the benchmark index; ~10 minutes)
"""

from __future__ import annotations

import random
import shutil
import time

from benchmarks.common import CACHE, test_index, write_result
from shopseek.app import ShopSeek
from shopseek.config import DEFAULT_WEIGHTS
from shopseek.eval.simulated import evaluate_policies, session_scores
from shopseek.feedback.events import Event
from shopseek.feedback.experiments import Experiment
from shopseek.lab.fashion import load_products
from shopseek.lab.simulator import log_sessions, make_sessions, make_shoppers, play, policy, standard_policies
from shopseek.learn.ranker import train_ranker
from shopseek.search.engine import Query

SHOPPERS = 200
TRAINING_SESSIONS = 10
HELD_OUT_SESSIONS = 5
DEV_SESSIONS = 2
PERSONAL_WEIGHTS = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
SEED = 2026


def red_tshirt_check(shop: ShopSeek, products: dict, weights: dict[str, float]) -> dict[str, float]:
    """Share of red products in a plain "t-shirt" search before and after a shopper likes 8 red t-shirts."""
    reds = [pid for pid, p in products.items() if p.article_type == "Tshirts" and p.colour == "Red"][:8]
    user = "red-fan"

    def share(profile: object) -> float:
        hits = shop.search(Query("t-shirt", k=10, profile=profile, learned_ranking=False, weights=weights)).hits  # type: ignore[arg-type]
        return sum(products[h.product.id].colour == "Red" for h in hits) / len(hits)

    before = share(None)
    for pid in reds:
        shop.events.append(Event(user_id=user, product_id=pid, type="like"), at=time.time())
    return {"red_share_before": before, "red_share_after": share(shop.profile(user)), "likes": len(reds)}


def tune_personal_weight(shop: ShopSeek, products: dict, sessions: list) -> dict[str, object]:
    """NDCG@10 of personalised fusion per personal-signal weight on dev sessions (not the held-out ones)."""
    scores = {}
    for weight in PERSONAL_WEIGHTS:
        rank = policy(personal=True, learned=False, weights={"personal": weight})
        scores[weight] = round(float(session_scores(shop, sessions, products, rank, seed=5)[0].mean()), 4)
    return {"dev_sessions": len(sessions), "ndcg@10": scores, "best": max(scores, key=lambda w: scores[w])}


def ab_run(shop: ShopSeek, products: dict, sessions: list, weights: dict[str, float]) -> dict[str, object]:
    """An A/B experiment: half the shoppers get the learned ranker; the report is computed from their events."""
    name = f"ranker-ab-{SEED}"
    spec = {"variants": {"control": {"learned_ranking": False, "share": 50}, "ranker": {"share": 50}}}
    shop.experiments.put(name, Experiment.model_validate(spec))
    rng = random.Random(SEED)
    for session in sessions:
        variant = shop.experiments.assign(name, session.shopper.user_id)
        profile = shop.profile(session.shopper.user_id, before=session.at)
        learned = variant == "ranker"
        hits = shop.search(Query(session.text, k=10, profile=profile, learned_ranking=learned, weights=weights)).hits
        for pid, kind, position in play(session, [h.product.id for h in hits], products, rng):
            event = Event(
                user_id=session.shopper.user_id, product_id=pid, type=kind, query=session.text, value=float(position)
            )
            shop.events.append(event, at=session.at + position * 0.01)
    return shop.experiments.report(name, shop.events)


def main() -> None:
    """Simulate, train, evaluate and write benchmarks/results/learning.json."""
    test_index().close()
    folder = CACHE / "fashion-sim"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(CACHE / "fashion-test", folder)
    shop = ShopSeek(folder)
    in_index = {p.product.id for p in shop.store.iter_all()}
    from benchmarks.common import FASHION

    products = {p.id: p for p in load_products(FASHION) if p.id in in_index}
    shoppers = make_shoppers(list(products.values()), SHOPPERS, SEED)
    training = make_sessions(shoppers, TRAINING_SESSIONS, SEED, start=1_700_000_000.0)
    held_out = make_sessions(shoppers, HELD_OUT_SESSIONS, SEED + 1, start=1_800_000_000.0)
    dev = make_sessions(shoppers, DEV_SESSIONS, SEED + 2, start=1_800_000_000.0)
    started = time.perf_counter()
    clicks = log_sessions(shop, training, products, policy(personal=True, learned=False, explore=0.3), seed=1)
    log_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model, summary = train_ranker(shop)
    train_seconds = time.perf_counter() - started
    tuning = tune_personal_weight(shop, products, dev)
    weights = {"personal": float(tuning["best"])}  # type: ignore[arg-type]
    policies = standard_policies(weights)
    evaluation = evaluate_policies(shop, held_out, products, policies)
    result = {
        "catalogue": len(products),
        "shoppers": SHOPPERS,
        "training_searches": len(training),
        "training_clicks": clicks,
        "log_seconds": round(log_seconds, 1),
        "personal_weight": {"default_when_logged": DEFAULT_WEIGHTS["personal"], **tuning},
        "ranker": {"file": model.name, "train_seconds": round(train_seconds, 1), **summary},
        "held_out": evaluation,
        "red_tshirts": red_tshirt_check(shop, products, weights),
        "ab_report": ab_run(shop, products, held_out, weights),
    }
    print(result)
    print(write_result("learning", result))


if __name__ == "__main__":
    main()
