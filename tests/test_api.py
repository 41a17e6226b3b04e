"""The HTTP API over a fake-encoder index: answers, writes with a key, and every kind of bad input."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from shopseek.app import ShopSeek
from shopseek.service.api import create_app

KEY = "test-key-123"


@pytest.fixture
def client(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("SHOPSEEK_API_KEY", KEY)
    return TestClient(create_app(fake_shop), raise_server_exceptions=False)


def png_bytes(colour: tuple[int, int, int], size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(side: int = 30_000) -> bytes:
    """A tiny PNG whose header claims side x side pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00" * (side + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_healthz_and_search_shape(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert (health["status"], health["products"]) == ("ok", 6) and health["indexes"]["text"]["recall_at_10"] == 1.0
    body = client.get("/search", params={"q": "red shirt", "k": 2}).json()
    first = body["results"][0]
    assert first["id"] == "p1"
    assert set(first) >= {"id", "title", "price", "currency", "brand", "category", "image_url", "score", "signals"}
    assert body["total"] >= 1 and body["took_ms"] >= 0
    assert set(body["facets"]) == {"category", "brand", "attributes", "price"}
    assert client.get(first["image_url"]).headers["content-type"] == "image/jpeg"


def test_filters_sort_and_pages(client: TestClient) -> None:
    body = client.get("/search", params={"q": "shirt jeans shoes phone wallet", "sort": "price_asc", "k": 10}).json()
    prices = [r["price"] for r in body["results"] if r["price"] is not None]
    assert prices == sorted(prices)
    body = client.get("/search", params={"q": "shirt jeans shoes", "brand": "Acme"}).json()
    assert {r["id"] for r in body["results"]} == {"p1", "p3"}
    body = client.get("/search", params={"q": "shirt jeans shoes phone", "price_min": 40, "price_max": 90}).json()
    assert {r["id"] for r in body["results"]} <= {"p2", "p3"}
    first = client.get("/search", params={"q": "shirt jeans shoes wallet", "k": 2, "page": 1}).json()["results"]
    second = client.get("/search", params={"q": "shirt jeans shoes wallet", "k": 2, "page": 2}).json()["results"]
    assert not {r["id"] for r in first} & {r["id"] for r in second}


def test_photo_and_words_together(client: TestClient) -> None:
    files = {"image": ("q.png", png_bytes((220, 20, 30)), "image/png")}
    body = client.post("/search", data={"q": "shirt", "k": "3"}, files=files).json()
    assert body["results"][0]["id"] == "p1"
    only_photo = client.post("/search", files=files).json()
    assert only_photo["results"]


def test_product_page_and_similar(client: TestClient) -> None:
    product = client.get("/products/p1").json()
    assert product["title"] == "Red cotton shirt" and product["image_urls"] == ["/products/p1/images/0"]
    assert [r["text"] for r in product["reviews"]] == ["great shirt", "fits well"]
    similar = client.get("/products/p1/similar", params={"k": 3}).json()["results"]
    assert "p1" not in {r["id"] for r in similar}


def test_writes_need_the_key(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    product = {"id": "n1", "title": "Yellow raincoat", "price": 60}
    assert client.post("/products", json=product).status_code == 401
    wrong = client.post("/products", json=product, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert client.delete("/products/p1", headers={"Authorization": "Bearer nope"}).status_code == 403
    assert client.get("/healthz").json()["products"] == 6
    monkeypatch.delenv("SHOPSEEK_API_KEY")
    refused = client.post("/products", json=product, headers={"Authorization": f"Bearer {KEY}"})
    assert refused.status_code == 403 and "SHOPSEEK_API_KEY" in refused.json()["error"]


def test_write_and_delete_with_the_key(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    body = client.post("/products", json=[{"id": "n1", "title": "Yellow raincoat", "price": 60}], headers=auth).json()
    assert body["written"] == 1 and body["products"] == 7
    assert client.get("/search", params={"q": "raincoat", "k": 1}).json()["results"][0]["id"] == "n1"
    assert client.delete("/products/n1", headers=auth).json()["products"] == 6
    assert client.delete("/products/n1", headers=auth).status_code == 404
    assert "n1" not in {r["id"] for r in client.get("/search", params={"q": "raincoat"}).json()["results"]}


def test_events_are_recorded(client: TestClient, fake_shop: ShopSeek) -> None:
    user = client.post("/sessions").json()["user_id"]
    ok = client.post("/events", json={"user_id": user, "product_id": "p1", "type": "like", "query": "shirt"})
    assert ok.status_code == 200
    assert client.post("/events", json={"user_id": user, "product_id": "nope", "type": "like"}).status_code == 404
    assert client.post("/events", json={"user_id": user, "product_id": "p1", "type": "stare"}).status_code == 422
    assert fake_shop.events.count() == 1


def test_nobody_acts_as_another_shopper(client: TestClient, fake_shop: ShopSeek) -> None:
    from fastapi.testclient import TestClient as Client

    victim = client.post("/sessions").json()
    attacker = Client(client.app)
    forged = {"user_id": victim["user_id"], "product_id": "p1", "type": "like"}
    assert attacker.post("/events", json=forged).status_code == 401
    assert attacker.post("/events", json=forged, headers={"X-Shopper-Token": "guess"}).status_code == 401
    assert attacker.get("/search", params={"q": "shirt", "user": victim["user_id"]}).status_code == 401
    assert attacker.get(f"/users/{victim['user_id']}/recommendations").status_code == 401
    assert fake_shop.events.count() == 0
    with_token = attacker.post("/events", json=forged, headers={"X-Shopper-Token": victim["token"]})
    assert with_token.status_code == 200  # the shopper's own token works from any client
    as_server = attacker.post("/events", json=forged, headers={"Authorization": f"Bearer {KEY}"})
    assert as_server.status_code == 200


def test_events_and_searches_are_rate_limited_per_client(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_EVENTS_PER_S", "0.001")
    client = TestClient(create_app(fake_shop))
    user = client.post("/sessions").json()["user_id"]
    codes = [
        client.post("/events", json={"user_id": user, "product_id": "p1", "type": "click"}).status_code
        for _ in range(40)
    ]
    assert codes.count(200) == 30 and codes[-1] == 429  # the burst, then refused
    refused = client.post("/events", json={"user_id": user, "product_id": "p1", "type": "click"})
    assert refused.headers["retry-after"] == "1"


BAD_SEARCHES = [
    {"q": ""},
    {"q": "   "},
    {"q": "x" * 5_000},
    {"q": "shirt", "k": "-1"},
    {"q": "shirt", "k": "0"},
    {"q": "shirt", "k": "many"},
    {"q": "shirt", "k": "100000"},
    {"q": "shirt", "page": "0"},
    {"q": "shirt", "price_min": "cheap"},
    {"q": "shirt", "price_min": "-5"},
    {"q": "shirt", "sort": "random"},
]


@pytest.mark.parametrize("params", BAD_SEARCHES)
def test_bad_searches_are_clear_4xx(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/search", params=params)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_huge_query_in_a_form_is_refused(client: TestClient) -> None:
    response = client.post("/search", data={"q": "x" * 100_000})
    assert response.status_code == 422


BAD_PHOTOS = {
    "random bytes": b"\x13\x37" * 500,
    "text file": b"hello, I am not a picture\n" * 20,
    "truncated jpeg": b"",
    "bomb png": b"",
    "empty": b"",
}


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_bad_photos_are_clear_4xx(client: TestClient, kind: str) -> None:
    data = BAD_PHOTOS[kind]
    if kind == "truncated jpeg":
        buffer = io.BytesIO()
        Image.new("RGB", (300, 300), (10, 200, 30)).save(buffer, format="JPEG")
        data = buffer.getvalue()[:400]
    if kind == "bomb png":
        data = bomb_png()
    response = client.post("/search", data={"q": "shirt"}, files={"image": ("x.jpg", data, "image/jpeg")})
    assert 400 <= response.status_code < 500, response.text
    assert "photo" in response.json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/products/nope",
        "/products/..%2F..%2Fetc%2Fpasswd",
        "/products/p1/images/9",
        "/products/p1/images/-1",
        "/products/nope/similar",
    ],
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_malformed_and_mistyped_writes_change_nothing(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    assert client.post("/products", content=b"{not json", headers=auth).status_code == 422
    assert client.post("/products", json={"title": "no id"}, headers=auth).status_code == 422
    assert client.post("/products", json={"id": "x", "price": "cheap"}, headers=auth).status_code == 422
    assert client.post("/products", json={"id": "../x"}, headers=auth).status_code == 422
    assert client.post("/products", json={"id": "x", "images": ["/etc/passwd"]}, headers=auth).status_code == 422
    assert client.post("/products", json=[], headers=auth).status_code == 422
    assert client.post("/products", json="a string", headers=auth).status_code == 422
    assert client.get("/healthz").json()["products"] == 6


def test_web_page_and_openapi(client: TestClient, tmp_path: Path) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "shopseek" in page.text
    assert client.get("/static/app.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/search", "/healthz", "/products/{product_id}", "/events"} <= set(schema["paths"])
    json.dumps(schema)


def test_ids_are_url_encoded_in_every_url_built(client: TestClient, fake_shop: ShopSeek, tmp_path: Path) -> None:
    from shopseek.catalog.schema import Product

    image = tmp_path / "odd.png"
    image.write_bytes(png_bytes((200, 20, 20)))
    fake_shop.add_products([Product(id="a?b#c%d", title="odd id scarf", images=[str(image)])])
    hit = next(h for h in client.get("/search", params={"q": "odd id scarf"}).json()["results"] if h["id"] == "a?b#c%d")
    assert hit["image_url"] == "/products/a%3Fb%23c%25d/images/0"
    assert client.get(hit["image_url"]).status_code == 200
    assert client.get("/products/a%3Fb%23c%25d").json()["image_urls"] == [hit["image_url"]]


def test_while_recovering_healthz_says_so_and_the_rest_asks_to_retry(client: TestClient, fake_shop: ShopSeek) -> None:
    fake_shop.ready.clear()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json() == {"status": "recovering"}
    busy = client.get("/search", params={"q": "shirt"})
    assert busy.status_code == 503 and busy.headers["retry-after"] == "2"
    fake_shop.ready.set()
    assert client.get("/healthz").status_code == 200


def test_a_deferred_open_serves_only_after_the_journal_is_replayed(tmp_path: Path, tiny_catalog: Path) -> None:
    from shopseek.catalog.readers import read_catalog
    from shopseek.catalog.schema import Product
    from shopseek.encoders.base import ENCODERS

    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    shop.add_products([Product(id="late", title="late wool sweater")])  # journalled, not yet checkpointed
    shop.close()
    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"](), defer_recovery=True)
    assert not reopened.ready.is_set() and reopened.recovered == 0
    reopened.finish_opening()
    assert reopened.ready.is_set() and reopened.recovered == 1
    reopened.close()


def test_openapi_lists_every_error_code_with_the_real_body(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/search"]["get"]["responses"]
    assert {"401", "404", "413", "422", "429", "503"} <= set(responses)
    body = responses["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"error", "detail"}


def test_two_photos_in_one_search_are_refused(client: TestClient) -> None:
    files = [
        ("image", ("a.png", png_bytes((200, 0, 0)), "image/png")),
        ("image", ("b.png", png_bytes((0, 0, 200)), "image/png")),
    ]
    response = client.post("/search", data={"q": ""}, files=files)
    assert response.status_code == 422 and "one photo" in response.json()["error"]


def test_the_write_body_and_every_answer_are_typed_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = json.dumps(spec["paths"]["/products"]["post"]["requestBody"])
    assert "#/components/schemas/Product" in body
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            content = operation["responses"]["200"]["content"]
            assert content.get("image/jpeg") == {} or content["application/json"]["schema"], f"{method} {path}"
    campaigns = json.dumps(spec["paths"]["/campaigns/{name}/report"]["get"]["responses"]["200"])
    assert "#/components/schemas/CampaignReport" in campaigns
