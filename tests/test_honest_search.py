"""Search that behaves like a shop's: nothing for nonsense, misspellings corrected, autocomplete, highlights,
a near-exact photo first, filters checked, and shopper-facing pages closed to bots' analytics."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from shopseek.app import SearchRequest, ShopSeek
from shopseek.catalog.schema import Product
from shopseek.catalog.store import ProductStore
from shopseek.encoders.base import ENCODERS
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


def test_reopening_restores_the_catalogue_words_from_the_snapshot(
    fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_shop.add_products([Product(id="n1", title="Velvet armchair")])
    fake_shop.save()
    fake_shop.add_products([Product(id="n2", title="Mahogany bookcase")])  # only in the journal
    folder = fake_shop.folder
    fake_shop.close()
    monkeypatch.setattr(ProductStore, "naming_texts", lambda _: pytest.fail("read every product again"))
    reopened = ShopSeek(folder, encoder=ENCODERS["fake"]())
    assert reopened.terms.corrected("smartphnoe") == "smartphone"
    assert reopened.terms.corrected("armchiar") == "armchair"
    assert reopened.terms.corrected("mahogny") == "mahogany"  # learned from the replayed journal
    reopened.close()


def test_corrections_leave_known_words_alone() -> None:
    terms = CatalogueTerms()
    terms.add(["Red cotton shirt", "iPhone 9", "Laptop bag"])
    assert terms.corrected("iphnoe") == "iphone"
    assert terms.corrected("shirts") is None  # the catalogue has its stem
    assert terms.corrected("cheap shirt") is None  # an English word, not a typo
    assert terms.corrected("red") is None
    terms.add(["Kitchen strainer"])
    assert terms.corrected("men's trainers") is None  # an English word in another inflection, not "strainer"


def test_catalogue_words_written_as_two_are_joined() -> None:
    terms = CatalogueTerms()
    terms.add(["Silver cufflinks", "Leather wristband"])
    assert terms.joined("cuff links for shirts") == ["cufflinks"]
    assert terms.joined("wrist band") == ["wristband"]
    assert terms.joined("cuff link") == ["cufflink"]  # the catalogue has its stem
    assert terms.joined("silver links") == []
    terms.add(["Kitchen strainers", "Mens watch"])
    assert terms.joined("men's trainers") == []  # the "s" of "men's" is no word


def test_english_synonyms_stand_in_only_for_words_the_catalogue_lacks() -> None:
    terms = CatalogueTerms()
    terms.add(["Polarised sunglasses", "Leather wallet"])
    assert terms.synonyms_used("black shades") == ["sunglasses"]
    assert terms.synonyms_used("billfolds") == ["wallet"]
    assert terms.synonyms_used("sunglasses") == []
    terms.add(["Lamp shades"])
    assert terms.synonyms_used("shades") == []  # the catalogue's own use of a word wins


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


def test_synonyms_are_the_shops_own_and_need_the_key(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_API_KEY", "k")
    client = TestClient(create_app(fake_shop))
    before = client.get("/search", params={"q": "bifold"}).json()["results"]
    assert not any("lexical" in h["signals"] for h in before)  # no product says "bifold", nor does WordNet know it
    groups = {"groups": [["wallet", "bifold", "钱包"]]}
    assert client.put("/synonyms", json=groups).status_code == 401
    assert (
        client.put("/synonyms", json={"groups": [["lonely"]]}, headers={"Authorization": "Bearer k"}).status_code == 422
    )
    assert client.put("/synonyms", json=groups, headers={"Authorization": "Bearer k"}).status_code == 200
    after = client.get("/search", params={"q": "bifold"}).json()["results"][0]
    assert after["id"] == "p4" and "lexical" in after["signals"]
    assert client.get("/synonyms").json() == groups
    reopened = ShopSeek(fake_shop.folder, encoder=fake_shop.encoder)  # kept in the index folder
    assert reopened.synonyms.groups.groups == groups["groups"]
    reopened.close()


def test_a_page_of_impressions_is_one_request_all_or_none(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    user = client.post("/sessions").json()["user_id"]
    shown = [{"user_id": user, "product_id": p, "type": "impression", "query": "shirt", "value": n} for n, p in
             enumerate(["p1", "p2", "p3"], start=1)]  # fmt: skip
    assert client.post("/events/batch", json=shown).json() == {"recorded": 3}
    before = len(fake_shop.events.all_events())
    bad = [*shown, {"user_id": user, "product_id": "nope", "type": "impression"}]
    assert client.post("/events/batch", json=bad).status_code == 404
    assert len(fake_shop.events.all_events()) == before  # nothing recorded
    other = [{"user_id": "s-someone-else", "product_id": "p1", "type": "impression"}]
    assert client.post("/events/batch", json=other).status_code == 401
    assert client.post("/events/batch", json=[]).status_code == 422


def test_only_the_latest_vote_counts(fake_shop: ShopSeek) -> None:
    from shopseek.feedback.events import Event

    for vote in ("like", "dislike", "unvote"):
        fake_shop.record(Event(user_id="ann", product_id="p1", type=vote))
    profile = fake_shop.profile("ann")
    assert profile.positive is None and profile.negative is None and not profile.disliked_for
    fake_shop.record(Event(user_id="ann", product_id="p2", type="dislike"))
    fake_shop.record(Event(user_id="ann", product_id="p2", type="like"))
    profile = fake_shop.profile("ann")
    assert profile.positive is not None and profile.negative is None and not profile.disliked_for


def test_a_query_for_a_thing_puts_that_thing_before_its_accessories(tmp_path: Path) -> None:
    import json

    from shopseek.catalog.readers import read_catalog
    from shopseek.encoders.base import ENCODERS

    titles = ["Laptop bag for 15 inch laptops", "Laptop stand", "Slim laptop 14 inch", "Gaming laptop"]
    lines = [json.dumps({"id": f"l{n}", "title": title}) for n, title in enumerate(titles)]
    (tmp_path / "c.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tmp_path / "c.jsonl"))
    first_two = {h.product.id for h in shop.search_for(SearchRequest("laptop", logged=False)).hits[:2]}
    assert first_two == {"l2", "l3"}
    assert shop.search_for(SearchRequest("laptop bag", logged=False)).hits[0].product.id == "l0"
