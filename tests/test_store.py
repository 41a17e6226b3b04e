"""The product store: what it reads back without building products, and its journal."""

from __future__ import annotations

from pathlib import Path

from shopseek.catalog.schema import Product
from shopseek.catalog.store import Filters, ProductStore


def test_naming_texts_read_by_sqlite_match_the_products(tmp_path: Path) -> None:
    store = ProductStore(tmp_path / "catalog.sqlite")
    products = [
        Product(id="a", title="Red shirt", brand="Acme", category="Shirts"),
        Product(id="b", title="红色 连衣裙"),
        Product(id="c", images=["x.jpg"]),
    ]
    store.upsert_many([(p, []) for p in products])
    assert list(store.naming_texts()) == [p.naming_text() for p in products]


def test_the_journal_keeps_the_newest_vectors_per_key_until_trimmed(tmp_path: Path) -> None:
    store = ProductStore(tmp_path / "catalog.sqlite")
    first = store.upsert_many([(Product(id="a", title="one"), [])], [b"v1"])[0]
    store.upsert_many([(Product(id="a", title="two"), [])], [b"v2"])
    store.upsert_many([(Product(id="b", title="three"), [])])
    assert store.journal_vectors(0) == {first: b"v2"}
    head = store.journal_head()
    store.trim_journal(head)
    assert store.journal_vectors(0) == {} and store.journal_head() == head


def test_products_read_from_memory_are_never_older_than_the_last_write(tmp_path: Path) -> None:
    store = ProductStore(tmp_path / "catalog.sqlite")
    key_a, key_b = store.upsert_many([(Product(id="a", title="one"), []), (Product(id="b", title="two"), [])])
    assert store.get_many([key_a, key_b])[key_a].product.title == "one"  # now held parsed
    store.upsert_many([(Product(id="a", title="changed"), [b"jpeg"])])
    store.delete("b")
    found = store.get_many([key_a, key_b, 99])
    assert list(found) == [key_a]
    assert found[key_a].product.title == "changed" and found[key_a].image_count == 1


def test_facet_values_follow_writes_and_fill_a_store_written_before_them(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    store = ProductStore(path)
    shirt = Product(id="a", title="shirt", category="Shirts", brand="Acme", attributes={"Colour": "Red", "size": 42})
    key_a, key_b = store.upsert_many([(shirt, []), (Product(id="b", title="cap", attributes={"colour": "Blue"}), [])])
    assert store.facet_counts([key_a, key_b], "colour") == {"Red": 1, "Blue": 1}
    assert "size" not in store.facets([key_a, key_b])["attributes"]  # numbers are filtered on, not shown
    assert store.keys_matching(Filters(attributes=(("size", ("42",)),))).tolist() == [key_a]
    store.upsert_many([(shirt.model_copy(update={"attributes": {"colour": "Green"}}), [])])
    store.delete("b")
    assert store.facets([key_a, key_b])["attributes"] == {}  # one value left: nothing to choose between
    assert store.facet_counts([key_a, key_b], "colour") == {"Green": 1}
    assert store.keys_matching(Filters(attributes=(("colour", ("green",)),))).tolist() == [key_a]
    expected = store.facets([key_a])
    store._db.execute("DELETE FROM facet_values")  # as a store written before the table was
    store._db.execute("PRAGMA user_version = 0")
    store.close()
    reopened = ProductStore(path)
    assert reopened.facets([key_a]) == expected
    assert reopened.facets([key_a])["category"] == {"Shirts": 1} and reopened.facets([key_a])["brand"] == {"Acme": 1}
