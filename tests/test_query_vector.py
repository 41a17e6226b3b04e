"""A Chinese query's text vector with the real text encoder: its English rendition weighs more than the query."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.schema import Product
from shopseek.config import Signal
from shopseek.search.engine import Query, SearchEngine

pytestmark = pytest.mark.models

TITLES = (
    "Femella Women Yellow Printed Scarf",
    "Vishudh Purple Leggings",
    "Kiara Women Cream Handbag",
    "Prafful Multi Coloured Crepe Sari",
    "Inkfruit Mens Pet T-shirt",
)


def test_a_short_chinese_word_finds_what_its_english_names(tmp_path: Path) -> None:
    shop = ShopSeek(tmp_path / "index")
    shop.add_products([Product(id=str(number), title=title) for number, title in enumerate(TITLES)])
    dense: frozenset[Signal] = frozenset({"dense"})
    assert shop.search(Query("围巾", k=1, signals=dense)).hits[0].product.title.endswith("Scarf")
    mean = shop.settings.model_copy(update={"english_rendition_say": 1.0})  # the plain mean of the two
    engine = SearchEngine(shop.store, shop.indexes, shop.encoder, mean)
    assert engine.search(Query("围巾", k=1, signals=dense)).hits[0].product.title.endswith("Leggings")
    shop.close()
