"""Answers from a product's own text: the right sentence with its source, Chinese questions too, 404 and 422."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.catalog.schema import Product
from shopseek.encoders.base import ENCODERS
from shopseek.search.answers import sentences_of
from shopseek.service.api import create_app

WATCH = {
    "id": "w1",
    "title": "Diver watch",
    "description": "A steel diver watch. It is waterproof to 200 metres. The strap is rubber.",
    "warrantyInformation": "2 year warranty",
    "reviews": ["Battery lasts for years.", {"text": "Too heavy for me. Looks great though.", "rating": 3}],
}


def test_sentences_keep_their_sources() -> None:
    found = sentences_of(Product.model_validate(WATCH))
    assert ("It is waterproof to 200 metres.", "description") in found
    assert ("warranty information: 2 year warranty", "attribute warrantyInformation") in found
    assert ("Looks great though.", "review 2") in found


def test_the_answering_sentence_comes_first_in_both_languages(tmp_path: Path) -> None:
    other = {"id": "s1", "title": "Cotton shirt", "description": "A soft shirt. Machine washable."}
    (tmp_path / "c.jsonl").write_text(json.dumps(WATCH) + "\n" + json.dumps(other) + "\n")
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tmp_path / "c.jsonl"))
    client = TestClient(create_app(shop))
    body = client.get("/products/w1/answers", params={"q": "is it waterproof?", "k": 2}).json()
    assert body["answers"][0] == {"text": "It is waterproof to 200 metres.", "source": "description", "score": body[
        "answers"][0]["score"]}  # fmt: skip
    warranty = client.get("/products/w1/answers", params={"q": "保修多久"}).json()["answers"][0]
    assert warranty["source"] == "attribute warrantyInformation"  # 保修 → warranty (CC-CEDICT)
    across = client.get("/answers", params={"q": "which one is waterproof", "products": 1}).json()
    assert across["results"][0]["product"]["id"] == "w1"
    assert "waterproof" in across["results"][0]["answers"][0]["text"]
    assert client.get("/products/nope/answers", params={"q": "why"}).status_code == 404
    assert client.get("/products/w1/answers", params={"q": ""}).status_code == 422
    changed = {**WATCH, "description": "A steel diver watch. Splash-proof only."}
    shop.add_products([Product.model_validate(changed)])  # the cached sentences follow the product
    first = client.get("/products/w1/answers", params={"q": "is it splash-proof?"}).json()["answers"][0]
    assert first["text"] == "Splash-proof only."
