"""The learned ranker: trained from logged searches, it lifts what shoppers engage with; served without restart."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from shopseek.app import ShopSeek
from shopseek.feedback.events import Event
from shopseek.learn.ranker import train_ranker
from shopseek.search.engine import Query


def log_green_lovers(shop: ShopSeek, searches: int) -> None:
    """Shoppers search "t-shirt", see ten random results (exploration) and click green ones, more often near the top."""
    rng = random.Random(0)
    found = [hit.product.id for hit in shop.search(Query("t-shirt", k=20, learned_ranking=False)).hits]
    for number in range(searches):
        shown = rng.sample(found, 10)
        user, at = f"u{number % 60}", 1_700_000_000.0 + number * 60
        for position, product_id in enumerate(shown, start=1):
            shop.events.append(Event(user_id=user, product_id=product_id, type="impression", query="t-shirt",
                                     value=position), at=at + position * 0.01)  # fmt: skip
            if product_id.startswith("green") and rng.random() < 0.8 / position**0.5:
                shop.events.append(Event(user_id=user, product_id=product_id, type="click", query="t-shirt",
                                         value=position), at=at + position * 0.01 + 0.001)  # fmt: skip


def green_share(shop: ShopSeek, learned: bool) -> float:
    hits = shop.search(Query("t-shirt", k=5, learned_ranking=learned)).hits
    return sum(hit.product.id.startswith("green") for hit in hits) / len(hits)


def test_ranker_learns_from_clicks_and_is_picked_up_without_restart(tshirt_shop: ShopSeek) -> None:
    shop = tshirt_shop
    log_green_lovers(shop, searches=120)
    before = green_share(shop, learned=True)
    path, summary = train_ranker(shop)
    assert path.exists() and summary["sessions"] > 50 and summary["rerank_depth"] >= 15  # logs reached page 2
    assert green_share(shop, learned=True) >= 0.8 > before
    assert green_share(shop, learned=False) == before


def test_training_without_logs_explains_itself(tshirt_shop: ShopSeek) -> None:
    with pytest.raises(ValueError, match="nothing to learn"):
        train_ranker(tshirt_shop)


def test_a_ranker_trained_on_another_feature_set_is_not_used(tmp_path: Path) -> None:
    import lightgbm
    import numpy as np

    from shopseek.search.rank import LearnedRanker

    rows = np.random.default_rng(0).random((40, 5))
    data = lightgbm.Dataset(rows, label=np.arange(40) % 2, group=[10, 10, 10, 10])
    booster = lightgbm.train({"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 1}, data, 2)
    (tmp_path / "ranker").mkdir()
    booster.save_model(str(tmp_path / "ranker" / "ranker-1.txt"))
    assert LearnedRanker(tmp_path / "ranker").current() is None


def test_one_shopper_repeating_a_search_teaches_the_ranker_only_a_few_times(fake_shop: ShopSeek) -> None:
    from shopseek.learn.ranker import SESSIONS_PER_SHOPPER_QUERY, logged_sessions

    for _ in range(40):
        fake_shop.record(Event(user_id="mallory", product_id="p4", type="impression", query="shirt", value=1))
        fake_shop.record(Event(user_id="mallory", product_id="p4", type="purchase", query="shirt"))
    fake_shop.record(Event(user_id="ann", product_id="p1", type="impression", query="shirt", value=1))
    sessions = logged_sessions(fake_shop)
    assert [s.user_id for s in sessions].count("mallory") == SESSIONS_PER_SHOPPER_QUERY
    assert [s.user_id for s in sessions].count("ann") == 1
    assert fake_shop.events.popularity(["p4"]) == {"p4": 3.0}  # one shopper's strongest event, once


def test_a_ranker_trained_before_a_signal_was_added_keeps_re_ranking(tmp_path: Path) -> None:
    import lightgbm
    import numpy as np

    from shopseek.search.rank import FEATURES, Candidate, LearnedRanker

    older = [name for name in FEATURES if not name.startswith("like_first")]
    rows = np.random.default_rng(0).random((40, len(older)))
    data = lightgbm.Dataset(rows, label=np.arange(40) % 2, group=[10, 10, 10, 10], feature_name=older)
    booster = lightgbm.train({"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 1}, data, 2)
    (tmp_path / "ranker").mkdir()
    booster.save_model(str(tmp_path / "ranker" / "ranker-1.txt"))
    model = LearnedRanker(tmp_path / "ranker").current()
    assert model is not None and [FEATURES[column] for column in model.columns] == older
    candidates = [Candidate(key, key, 1.0 / key, 0.0, 0.0, 0.0, None, True) for key in (1, 2, 3)]
    assert sorted(key for key, _ in model.rerank(candidates, {"lexical": [(2, 1.0)]})) == [1, 2, 3]
