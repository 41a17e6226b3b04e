"""The HTTP API over a fake-encoder index."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.service.api import create_app


def test_healthz_and_search(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    assert client.get("/healthz").json() == {"status": "ok", "products": 6}
    body = client.get("/search", params={"q": "red shirt", "k": 2}).json()
    assert body["results"][0]["id"] == "p1"
    assert body["results"][0]["image_url"] == "/products/p1/images/0"
    assert body["total"] >= 1 and body["took_ms"] >= 0
    assert client.get(body["results"][0]["image_url"]).headers["content-type"] == "image/jpeg"


def test_bad_requests_are_clear_4xx(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    assert client.get("/search", params={"q": ""}).status_code == 422
    assert client.get("/search", params={"q": "x" * 5_000}).status_code == 422
    assert client.get("/search", params={"q": "shirt", "k": "-1"}).status_code == 422
    assert client.get("/search", params={"q": "shirt", "k": "many"}).status_code == 422
    assert client.get("/products/nope").status_code == 404
    assert client.get("/products/..%2F..%2Fetc").status_code == 404
