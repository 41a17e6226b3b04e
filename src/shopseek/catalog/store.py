"""SQLite (WAL) product store: the source of truth that the vector and lexical indexes mirror."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import cachetools
import numpy as np

from shopseek.catalog.schema import Product, naming_text

FACET_FIELDS = 6  # attribute facets shown: those most of the results carry
FACET_VALUES = 20
FACET_TABLE = 1  # the store's user_version once facet_values is filled
# Each product's facet values (category, brand, every scalar attribute under its lower-cased name; text values are
# shown as facets, numbers only filtered on), read out of its document by SQLite once per write: facets and filters
# then never parse documents (with long descriptions and many reviews, that was most of a search).
FACET_ROWS = """
INSERT INTO facet_values (key, field, value, shown)
SELECT p.key, 'category', json_extract(p.doc, '$.category'), 1 FROM products p
    WHERE {where} AND json_extract(p.doc, '$.category') != ''
UNION ALL SELECT p.key, 'brand', json_extract(p.doc, '$.brand'), 1 FROM products p
    WHERE {where} AND json_extract(p.doc, '$.brand') != ''
UNION ALL SELECT p.key, lower(a.key), a.value, a.type = 'text' FROM products p, json_each(p.doc, '$.attributes') a
    WHERE {where} AND a.type IN ('text', 'integer', 'real', 'true', 'false')
    AND lower(a.key) NOT IN ('category', 'brand')
"""
PARSED_PRODUCTS = 10_000  # products kept parsed for searches (pydantic validation was a tenth of a word search)

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    doc TEXT NOT NULL,
    price REAL,
    category TEXT,
    brand TEXT,
    image_count INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS products_category ON products(category);
CREATE INDEX IF NOT EXISTS products_brand ON products(brand);
CREATE INDEX IF NOT EXISTS products_price ON products(price);
CREATE TABLE IF NOT EXISTS facet_values (
    key INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    shown INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS facet_values_key ON facet_values(key);
CREATE INDEX IF NOT EXISTS facet_values_field ON facet_values(field, lower(value));
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key INTEGER NOT NULL,
    op TEXT NOT NULL,
    vectors BLOB
);
"""


@dataclass(frozen=True)
class Filters:
    """Shopper filters on price, category, brand and any attribute (case-insensitive). Each entry of `attributes`
    is a field with the values it may take (any of them); every field given must match."""

    category: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def active(self) -> bool:
        """True when any filter narrows the catalogue."""
        bounds = (self.category, self.brand, self.price_min, self.price_max)
        return any(v is not None for v in bounds) or bool(self.attributes)

    def fields(self) -> list[str]:
        """The facet fields this filter chooses values of."""
        chosen = [name for name in ("category", "brand") if getattr(self, name) is not None]
        return chosen + [name for name, _ in self.attributes if name not in chosen]

    def without(self, field: str) -> Filters:
        """The same filters with nothing chosen for one facet field (for that field's disjunctive counts)."""
        attributes = tuple((name, values) for name, values in self.attributes if name != field)
        return replace(
            self,
            category=None if field == "category" else self.category,
            brand=None if field == "brand" else self.brand,
            attributes=attributes,
        )


@dataclass(frozen=True)
class StoredProduct:
    """A product with its integer key (shared by all indexes) and its stored image count."""

    key: int
    product: Product
    image_count: int


class ProductStore:
    """Products keyed by id, with an integer key per product used by every index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.media_dir = path.parent / "media"
        self._lock = threading.RLock()
        self._parsed: cachetools.LRUCache[int, StoredProduct] = cachetools.LRUCache(maxsize=PARSED_PRODUCTS)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(journal)")}
        if "vectors" not in columns:  # a store written before the journal carried vectors
            self._db.execute("ALTER TABLE journal ADD COLUMN vectors BLOB")
        if self._db.execute("PRAGMA user_version").fetchone()[0] < FACET_TABLE:  # a store written before the table
            with self._transaction():
                self._db.execute("DELETE FROM facet_values")
                self._db.execute(FACET_ROWS.format(where="1=1"))
                self._db.execute(f"PRAGMA user_version = {FACET_TABLE}")

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def upsert_many(self, items: list[tuple[Product, list[bytes]]], vectors: list[bytes] | None = None) -> list[int]:
        """Insert or replace products and their image copies in one durable transaction; returns their keys.

        Each write is also appended to the journal (with the product's encoded `vectors` when given), which index
        recovery replays after a crash.
        """
        keys = []
        payloads = vectors if vectors is not None else [None] * len(items)
        with self._lock, self._transaction():
            for (product, images), payload in zip(items, payloads, strict=True):
                key = self._upsert(product, len(images))
                self._write_media(key, images)
                self._db.execute("INSERT INTO journal (key, op, vectors) VALUES (?, 'upsert', ?)", (key, payload))
                keys.append(key)
        return keys

    def _upsert(self, product: Product, image_count: int) -> int:
        row = self._db.execute("SELECT key FROM products WHERE id = ?", (product.id,)).fetchone()
        if row:
            self._parsed.pop(int(row[0]), None)
        values = (
            product.model_dump_json(),
            product.price,
            product.category.lower() or None,
            product.brand.lower() or None,
            image_count,
            time.time(),
        )
        if row:
            self._db.execute(
                "UPDATE products SET doc=?, price=?, category=?, brand=?, image_count=?, updated_at=? WHERE key=?",
                (*values, row[0]),
            )
            key = int(row[0])
        else:
            cursor = self._db.execute(
                "INSERT INTO products (doc, price, category, brand, image_count, updated_at, id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*values, product.id),
            )
            key = int(cursor.lastrowid or 0)
        self._db.execute("DELETE FROM facet_values WHERE key = ?", (key,))
        self._db.execute(FACET_ROWS.format(where="p.key = ?"), (key, key, key))
        return key

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _write_media(self, key: int, images: list[bytes]) -> None:
        """Write image copies durably (fsync) before the transaction that refers to them commits."""
        folder = self.media_dir / str(key)
        if not images and not folder.exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.jpg"):
            old.unlink()
        for number, data in enumerate(images):
            with (folder / f"{number}.jpg").open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

    def delete(self, product_id: str) -> int | None:
        """Remove a product durably; returns its key, or None when it was unknown."""
        with self._lock:
            row = self._db.execute("SELECT key FROM products WHERE id = ?", (product_id,)).fetchone()
            if not row:
                return None
            self._parsed.pop(int(row[0]), None)
            with self._transaction():
                self._db.execute("DELETE FROM products WHERE key = ?", (row[0],))
                self._db.execute("DELETE FROM facet_values WHERE key = ?", (row[0],))
                self._db.execute("INSERT INTO journal (key, op) VALUES (?, 'delete')", (row[0],))
            return int(row[0])

    def journal_head(self) -> int:
        """The newest journal sequence number (0 when nothing was written yet)."""
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0])

    def journal_since(self, sequence: int) -> dict[int, str]:
        """The final operation per key among journal entries newer than `sequence`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, key, op FROM journal WHERE seq > ? ORDER BY seq", (sequence,)
            ).fetchall()
        return {int(key): op for _, key, op in rows}

    def journal_vectors(self, sequence: int) -> dict[int, bytes]:
        """Per key, the encoded vectors its newest upsert after `sequence` carried (keys written without them are
        left out)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, vectors FROM journal WHERE seq > ? AND op = 'upsert' ORDER BY seq", (sequence,)
            ).fetchall()
        newest: dict[int, bytes | None] = {}
        for key, payload in rows:
            newest[int(key)] = payload
        return {key: payload for key, payload in newest.items() if payload is not None}

    def trim_journal(self, sequence: int) -> None:
        """Forget journal entries a snapshot at `sequence` holds (the entry at `sequence` stays as the head mark)."""
        with self._lock:
            self._db.execute("DELETE FROM journal WHERE seq < ?", (sequence,))
            self._db.execute("UPDATE journal SET vectors = NULL WHERE seq = ?", (sequence,))

    def image_bytes(self, key: int, count: int) -> list[bytes]:
        """The stored image copies of a product."""
        return [(self.media_dir / str(key) / f"{n}.jpg").read_bytes() for n in range(count)]

    def key_of(self, product_id: str) -> int | None:
        """The integer key of a product id, or None."""
        with self._lock:
            row = self._db.execute("SELECT key FROM products WHERE id = ?", (product_id,)).fetchone()
        return int(row[0]) if row else None

    def get(self, product_id: str) -> StoredProduct | None:
        """One product by id, or None."""
        with self._lock:
            row = self._db.execute("SELECT key, doc, image_count FROM products WHERE id = ?", (product_id,)).fetchone()
        return _stored(row) if row else None

    def get_many(self, keys: list[int]) -> dict[int, StoredProduct]:
        """Products by key; unknown keys are left out. Recently read products come parsed from memory (writers drop
        theirs under the same lock)."""
        if not keys:
            return {}
        out: dict[int, StoredProduct] = {}
        with self._lock:
            missing = []
            for key in keys:
                found = self._parsed.get(key)
                if found is None:
                    missing.append(key)
                else:
                    out[key] = found
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, doc, image_count FROM products WHERE key IN ({marks})", chunk
                ).fetchall()
                for row in rows:
                    out[int(row[0])] = self._parsed[int(row[0])] = _stored(row)
        return out

    def iter_all(self) -> Iterator[StoredProduct]:
        """Every product, in key order."""
        with self._lock:
            rows = self._db.execute("SELECT key, doc, image_count FROM products ORDER BY key").fetchall()
        for row in rows:
            yield _stored(row)

    def naming_texts(self) -> Iterator[str]:
        """Every product's title, brand and category as one text, read by SQLite without building products."""
        with self._lock:
            rows = self._db.execute(
                "SELECT json_extract(doc, '$.title'), json_extract(doc, '$.brand'), json_extract(doc, '$.category')"
                " FROM products ORDER BY key"
            ).fetchall()
        return (naming_text(*row) for row in rows)

    def count(self) -> int:
        """Number of products."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM products").fetchone()[0])

    def keys_matching(self, filters: Filters) -> np.ndarray:
        """Keys of products that pass the filters."""
        clauses, params = _where(filters)
        with self._lock:
            rows = self._db.execute(f"SELECT key FROM products WHERE {clauses}", params).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def category_counts(self, limit: int) -> dict[str, int]:
        """The largest categories of the whole catalogue and their product counts (one grouped query)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT json_extract(doc, '$.category') c, COUNT(*) n FROM products"
                " WHERE c IS NOT NULL AND c != '' GROUP BY c ORDER BY n DESC, c LIMIT ?",
                (limit,),
            ).fetchall()
        return {category: count for category, count in rows}

    def facets(self, keys: list[int]) -> dict[str, object]:
        """Exact category, brand and attribute counts and the price range over the given products: attributes are
        the text attributes most of them carry (with two values at least)."""
        counts, prices = self._facet_counts(keys)
        attributes = [name for name, found in counts.items() if name not in ("category", "brand") and len(found) > 1]
        shown = sorted(attributes, key=lambda name: -sum(counts[name].values()))[:FACET_FIELDS]
        return {
            "category": dict(counts["category"].most_common(FACET_VALUES)),
            "brand": dict(counts["brand"].most_common(FACET_VALUES)),
            "attributes": {name: dict(counts[name].most_common(FACET_VALUES)) for name in shown},
            "price": {"min": min(prices) if prices else None, "max": max(prices) if prices else None},
        }

    def facet_counts(self, keys: list[int], field: str) -> dict[str, int]:
        """Exact counts of one facet field's values over the given products."""
        counts, _ = self._facet_counts(keys)
        return dict(counts.get(field, Counter()).most_common(FACET_VALUES))

    def _facet_counts(self, keys: list[int]) -> tuple[dict[str, Counter[str]], list[float]]:
        """Value counts of category, brand and every text attribute (lower-cased names), and the prices."""
        counts: dict[str, Counter[str]] = {"category": Counter(), "brand": Counter()}
        if not keys:
            return counts, []
        marks = ",".join("?" * len(keys))
        with self._lock:
            values = self._db.execute(
                f"SELECT field, value, COUNT(*) FROM facet_values WHERE key IN ({marks}) AND shown"
                " GROUP BY field, value",
                keys,
            ).fetchall()
            prices = self._db.execute(
                f"SELECT price FROM products WHERE key IN ({marks}) AND price IS NOT NULL", keys
            ).fetchall()
        for name, value, count in values:
            counts.setdefault(name, Counter())[value] = count
        return counts, [price for (price,) in prices]


def _stored(row: tuple[int, str, int]) -> StoredProduct:
    return StoredProduct(int(row[0]), Product.model_validate(json.loads(row[1])), int(row[2]))


def _where(filters: Filters) -> tuple[str, list[object]]:
    """SQL conditions and parameters for the filters."""
    clauses: list[str] = ["1=1"]
    params: list[object] = []
    if filters.category is not None:
        clauses.append("category = ?")
        params.append(filters.category.lower())
    if filters.brand is not None:
        clauses.append("brand = ?")
        params.append(filters.brand.lower())
    if filters.price_min is not None:
        clauses.append("price >= ?")
        params.append(filters.price_min)
    if filters.price_max is not None:
        clauses.append("price <= ?")
        params.append(filters.price_max)
    for name, values in filters.attributes:
        marks = ",".join("?" * len(values))
        if name in ("category", "brand"):
            clauses.append(f"{name} IN ({marks})")
        else:
            clauses.append(f"key IN (SELECT key FROM facet_values WHERE field = ? AND lower(value) IN ({marks}))")
            params.append(name)
        params += [value.lower() for value in values]
    return " AND ".join(clauses), params
