"""Visual words with the real models: photos with no text at all are found by words in English and Chinese."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.search.engine import Query

pytestmark = pytest.mark.models
DEMO = Path(str(resources.files("shopseek").joinpath("demo")))
PHOTOS = {"phone": "1", "laptop": "6", "perfume": "15", "motorcycle": "91", "sunglasses": "84"}


@pytest.fixture(scope="module")
def photos_only(tmp_path_factory: pytest.TempPathFactory) -> ShopSeek:
    folder = tmp_path_factory.mktemp("visual-words")
    lines = [
        json.dumps({"id": kind, "images": [str(DEMO / "images" / "dummyjson" / number / "0.jpg")]})
        for kind, number in PHOTOS.items()
    ]
    (folder / "catalog.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(folder / "index")
    shop.ingest(read_catalog(folder / "catalog.jsonl"))
    return shop


@pytest.mark.parametrize(
    ("words", "expected"),
    [("mobile phone", "phone"), ("手机", "phone"), ("laptop", "laptop"), ("笔记本电脑", "laptop"), ("香水", "perfume")],
)
def test_words_find_photos_without_text(photos_only: ShopSeek, words: str, expected: str) -> None:
    hits = photos_only.search(Query(words, k=1, signals=frozenset({"visual_words"}))).hits
    assert hits[0].product.id == expected
