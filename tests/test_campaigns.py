"""Sponsored products: shown only for relevant queries, priced by generalised second price, within budget, never a
disliked product, and managed with the API key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shopseek.app import SearchRequest, ShopSeek
from shopseek.feedback.campaigns import RESERVE, second_prices
from shopseek.feedback.events import Event
from shopseek.service.api import create_app

KEY = {"Authorization": "Bearer k"}


@pytest.fixture
def client(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("SHOPSEEK_API_KEY", "k")
    return TestClient(create_app(fake_shop))


def test_second_price_pays_what_keeps_the_place() -> None:
    # bids × relevance: 2×1.0 = 2.0 > 3×0.5 = 1.5 > 1×0.9 = 0.9
    assert second_prices([(2.0, 1.0), (3.0, 0.5), (1.0, 0.9)]) == [1.51, 1.81, RESERVE]
    assert second_prices([(0.5, 1.0), (3.0, 1.0)]) == [0.5, RESERVE]  # never above the bid


def test_a_relevant_query_shows_the_ad_and_an_unrelated_one_does_not(client: TestClient) -> None:
    spec = {"products": ["p3"], "bid": 0.5, "daily_budget": 10}
    assert client.put("/campaigns/shoes", json=spec).status_code == 401
    assert client.put("/campaigns/shoes", json={**spec, "products": ["nope"]}, headers=KEY).status_code == 422
    assert client.put("/campaigns/shoes", json=spec, headers=KEY).status_code == 200
    shoes = client.get("/search", params={"q": "running shoes"}).json()["results"]
    assert shoes[0]["id"] == "p3" and shoes[0]["sponsored"] is True
    assert [h["id"] for h in shoes].count("p3") == 1  # not repeated among the organic results
    assert all(h["sponsored"] is False for h in shoes[1:])
    jeans = client.get("/search", params={"q": "denim jeans"}).json()["results"]
    assert not any(h["sponsored"] for h in jeans)
    assert not any(h["sponsored"] for h in client.get("/search", params={"q": "shoes", "page": 2}).json()["results"])


def test_clicks_are_charged_once_and_the_budget_stops_the_ad(fake_shop: ShopSeek, client: TestClient) -> None:
    client.put("/campaigns/shoes", json={"products": ["p3"], "bid": 0.6, "daily_budget": 1.0}, headers=KEY)
    fake_shop.record(Event(user_id="u0", product_id="p3", type="click"))  # never shown as an ad: not charged
    for user in ("u1", "u2", "u3"):
        assert fake_shop.search_for(SearchRequest("running shoes", user=user)).hits[0].sponsored
        fake_shop.record(Event(user_id=user, product_id="p3", type="click"))
        fake_shop.record(Event(user_id=user, product_id="p3", type="click"))  # one impression, one charge
    report = client.get("/campaigns/shoes/report", headers=KEY).json()
    assert report["impressions"] == 3 and report["clicks"] == 3 and report["ctr"] == 1.0
    assert report["spend"] == pytest.approx(3 * RESERVE)  # alone in its auction: each click pays the reserve
    spent = fake_shop.campaigns.get("shoes").model_copy(update={"daily_budget": 3 * RESERVE})  # type: ignore[union-attr]
    fake_shop.campaigns.put("shoes", spent)
    assert not fake_shop.search_for(SearchRequest("running shoes", user="u9")).hits[0].sponsored  # budget spent
    page = client.get("/analytics", headers=KEY)
    assert "Sponsored products: campaigns" in page.text


def test_a_disliked_product_is_never_advertised_to_that_shopper(fake_shop: ShopSeek, client: TestClient) -> None:
    client.put("/campaigns/shoes", json={"products": ["p3"], "bid": 1, "daily_budget": 10}, headers=KEY)
    fake_shop.record(Event(user_id="ann", product_id="p3", type="dislike"))
    assert not any(h.sponsored for h in fake_shop.search_for(SearchRequest("running shoes", user="ann")).hits)
    assert fake_shop.search_for(SearchRequest("running shoes", user="bob")).hits[0].sponsored


def test_targeting_dates_and_deletion(client: TestClient) -> None:
    targeted = {"products": ["p3"], "bid": 1, "daily_budget": 10, "target_text": "sneakers trainers"}
    client.put("/campaigns/t", json=targeted, headers=KEY)
    assert not client.get("/search", params={"q": "running shoes"}).json()["results"][0]["sponsored"]
    later = {"products": ["p3"], "bid": 1, "daily_budget": 10, "start": "2999-01-01T00:00:00Z"}
    client.put("/campaigns/t", json=later, headers=KEY)
    assert not client.get("/search", params={"q": "running shoes"}).json()["results"][0]["sponsored"]
    bad = {
        "products": ["p3"],
        "bid": 1,
        "daily_budget": 10,
        "start": "2030-01-02T00:00:00",
        "end": "2030-01-01T00:00:00",
    }
    assert client.put("/campaigns/t", json=bad, headers=KEY).status_code == 422
    assert client.delete("/campaigns/t", headers=KEY).status_code == 200
    assert client.delete("/campaigns/t", headers=KEY).status_code == 404
    assert client.get("/campaigns/t/report", headers=KEY).status_code == 404


def test_a_click_in_a_batch_is_charged_like_a_single_one(fake_shop: ShopSeek, client: TestClient) -> None:
    client.put("/campaigns/shoes", json={"products": ["p3"], "bid": 1, "daily_budget": 10}, headers=KEY)
    assert fake_shop.search_for(SearchRequest("running shoes", user="ann")).hits[0].sponsored
    fake_shop.record_all([Event(user_id="ann", product_id="p3", type="click")])
    assert client.get("/campaigns/shoes/report", headers=KEY).json()["clicks"] == 1
