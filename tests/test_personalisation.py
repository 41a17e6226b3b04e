"""Personalisation from events: interest re-ranking, dislikes hidden per query, for-you recommendations."""

from __future__ import annotations

from shopseek.app import ShopSeek
from shopseek.feedback.events import Event
from shopseek.feedback.profiles import build_profile
from shopseek.search.engine import Query


def red_share(shop: ShopSeek, user: str | None) -> float:
    profile = shop.profile(user) if user else None
    hits = shop.search(Query("t-shirt", k=5, profile=profile)).hits
    return sum(hit.product.id.startswith("red") for hit in hits) / len(hits)


def test_liking_red_tshirts_brings_red_ones_up(tshirt_shop: ShopSeek) -> None:
    before = red_share(tshirt_shop, None)
    for n in range(3):
        tshirt_shop.record(Event(user_id="ann", product_id=f"red-{n}", type="like"))
    after = red_share(tshirt_shop, "ann")
    assert after >= before + 0.4 and after >= 0.8
    assert red_share(tshirt_shop, "bob") == before


def test_disliked_product_is_hidden_for_that_query_only(tshirt_shop: ShopSeek) -> None:
    tshirt_shop.record(Event(user_id="ann", product_id="blue-1", type="dislike", query="T-Shirt"))
    profile = tshirt_shop.profile("ann")
    shown = {hit.product.id for hit in tshirt_shop.search(Query("t-shirt", k=20, profile=profile)).hits}
    assert "blue-1" not in shown
    other = {hit.product.id for hit in tshirt_shop.search(Query("blue cotton", k=20, profile=profile)).hits}
    assert "blue-1" in other


def test_recommendations_follow_taste_and_skip_seen(tshirt_shop: ShopSeek) -> None:
    assert tshirt_shop.recommend("nobody") == []
    tshirt_shop.record(Event(user_id="ann", product_id="green-0", type="purchase"))
    tshirt_shop.record(Event(user_id="ann", product_id="green-1", type="like"))
    picks = [hit.product.id for hit in tshirt_shop.recommend("ann", k=3)]
    assert picks and all(p.startswith("green") for p in picks)
    assert not {"green-0", "green-1"} & set(picks)


def test_older_events_count_less() -> None:
    import numpy as np

    vectors = {"a": np.array([1.0, 0.0], np.float32), "b": np.array([0.0, 1.0], np.float32)}
    now = 1_000_000_000.0
    events = [
        (now, Event(user_id="u", product_id="a", type="click")),
        (now - 60 * 24 * 3600, Event(user_id="u", product_id="b", type="purchase")),
    ]
    profile = build_profile("u", events, vectors.get, now=now)
    assert profile.positive is not None and profile.positive[0] > profile.positive[1]


def test_api_user_parameter_and_recommendations(tshirt_shop: ShopSeek) -> None:
    from fastapi.testclient import TestClient

    from shopseek.service.api import create_app

    client = TestClient(create_app(tshirt_shop))
    ann = client.post("/sessions").json()["user_id"]  # her token rides along as a cookie
    for n in range(3):
        client.post("/events", json={"user_id": ann, "product_id": f"red-{n}", "type": "like"})
    personal = client.get("/search", params={"q": "t-shirt", "k": 5, "user": ann}).json()["results"]
    assert sum(r["id"].startswith("red") for r in personal) >= 4
    assert "personal" in personal[0]["signals"]
    picks = client.get(f"/users/{ann}/recommendations", params={"k": 2}).json()["results"]
    assert [p["id"][:3] for p in picks] == ["red", "red"]
