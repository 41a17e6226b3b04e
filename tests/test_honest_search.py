"""Search that behaves like a shop's: nothing for nonsense, misspellings corrected, autocomplete, highlights,
a near-exact photo first, filters checked, and shopper-facing pages closed to bots' analytics."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from shopseek.app import SearchRequest, ShopSeek
from shopseek.search.terms import CatalogueTerms
from shopseek.service.api import create_app


def test_nonsense_finds_nothing_and_total_counts_only_answers(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    body = client.get("/search", params={"q": "qqqzzzxxx"}).json()
    assert body["results"] == [] and body["total"] == 0
    shirts = client.get("/search", params={"q": "shirt"}).json()
    assert shirts["results"][0]["id"] == "p1"
    assert shirts["total"] == len(shirts["results"]) < fake_shop.count()


def test_a_misspelt_word_is_corrected_towards_the_catalogue(fake_shop: ShopSeek) -> None:
    body = TestClient(create_app(fake_shop)).get("/search", params={"q": "smartphnoe"}).json()
    assert body["corrected"] == "smartphone"
    assert body["results"][0]["id"] == "p6"


def test_corrections_leave_known_words_alone() -> None:
    terms = CatalogueTerms()
    terms.add(["Red cotton shirt", "iPhone 9", "Laptop bag"])
    assert terms.corrected("iphnoe") == "iphone"
    assert terms.corrected("shirts") is None  # the catalogue has its stem
    assert terms.corrected("cheap shirt") is None  # an English word, not a typo
    assert terms.corrected("red") is None


def test_suggestions_complete_from_titles_and_popular_queries(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    assert client.get("/suggest", params={"q": "red c"}).json() == {"suggestions": ["red cotton", "red cotton shirt"]}
    for user in ("a", "b"):
        fake_shop.events.log_search("red socks for winter", 3, user)
    fake_shop.events.log_search("red spam", 3, "c")  # one shopper cannot put a phrase into autocomplete
    assert client.get("/suggest", params={"q": "red", "k": 2}).json()["suggestions"][0] == "red socks for winter"
    assert "red spam" not in client.get("/suggest", params={"q": "red s", "k": 10}).json()["suggestions"]
    assert client.get("/suggest", params={"q": ""}).json() == {"suggestions": []}


def test_titles_are_highlighted_where_the_words_match(fake_shop: ShopSeek) -> None:
    hit = TestClient(create_app(fake_shop)).get("/search", params={"q": "red shirts"}).json()["results"][0]
    assert [hit["title"][a:b] for a, b in hit["highlights"]] == ["Red", "shirt"]


def test_a_near_exact_photo_stays_first_when_words_are_added(fake_shop: ShopSeek, tiny_catalog: Path) -> None:
    jeans = Image.open(tiny_catalog.parent / "img" / "p2.png").convert("RGB")
    assert fake_shop.search_for(SearchRequest(image=jeans, logged=False)).hits[0].product.id == "p2"
    assert fake_shop.search_for(SearchRequest("shirt", jeans, logged=False)).hits[0].product.id == "p2"
    red = Image.open(tiny_catalog.parent / "img" / "p5.png").convert("RGB")  # p1 and p5 share this photo
    assert fake_shop.search_for(SearchRequest("shirt", red, logged=False)).hits[0].product.id == "p1"


def test_price_range_upside_down_is_a_clear_422(fake_shop: ShopSeek) -> None:
    response = TestClient(create_app(fake_shop)).get("/search", params={"q": "shirt", "price_min": 50, "price_max": 5})
    assert response.status_code == 422 and "price_min is above price_max" in response.text


def test_bots_and_headless_browsers_are_not_counted(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_API_KEY", "k")
    client = TestClient(create_app(fake_shop))
    client.get("/search", params={"q": "jeans"}, headers={"User-Agent": "Mozilla/5.0 HeadlessChrome/120"})
    client.get("/search", params={"q": "jeans"}, headers={"User-Agent": "Googlebot/2.1"})
    client.get("/search", params={"q": "wallet"}, headers={"User-Agent": "Mozilla/5.0 Firefox/120"})
    top = client.get("/analytics/data", headers={"Authorization": "Bearer k"}).json()["top_queries"]
    assert [q["query"] for q in top] == ["wallet"]


def test_docs_work_offline_and_metrics_count_requests(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    docs = client.get("/docs").text
    assert "cdn.jsdelivr" not in docs and "/static-offline-docs/swagger-ui-bundle.js" in docs
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    client.get("/search", params={"q": "shirt"})
    metrics = client.get("/metrics/").text
    assert 'shopseek_requests_total{method="GET",route="/search",status="200"}' in metrics
