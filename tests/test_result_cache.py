"""The result cache: repeated word queries are answered from memory until the catalogue changes."""

from __future__ import annotations

import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.schema import Product
from shopseek.search.engine import Query


def test_repeated_query_is_cached_until_a_write(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    computed = []
    original = fake_shop.engine._search
    monkeypatch.setattr(fake_shop.engine, "_search", lambda q, t, m: computed.append(q.text) or original(q, t, m))
    query = Query("velvet scarf", k=5)
    first = fake_shop.search(query)
    second = fake_shop.search(query)
    assert computed == ["velvet scarf"]
    assert [h.product.id for h in first.hits] == [h.product.id for h in second.hits]

    fake_shop.add_products([Product(id="scarf-1", title="velvet scarf in plum")])
    added = fake_shop.search(query)
    assert len(computed) == 2 and added.hits[0].product.id == "scarf-1"

    fake_shop.delete("scarf-1")
    assert "scarf-1" not in [h.product.id for h in fake_shop.search(query).hits]
    assert len(computed) == 3


def test_other_pages_filters_and_personal_queries_are_not_mixed_up(fake_shop: ShopSeek) -> None:
    first = fake_shop.search(Query("shirt", k=2))
    second = fake_shop.search(Query("shirt", k=2, offset=2))
    assert [h.product.id for h in first.hits] != [h.product.id for h in second.hits]
    assert fake_shop.engine._cache_key(Query("shirt", profile=fake_shop.profile("nobody")), None) is None
