"""Catalogues beyond fashion (the two DummyJSON sets) and category queries a shopper would type, EN + ZH.

Products are split by id parity: odd ids are the dev catalogue (for choosing settings), even ids the test
catalogue (for reporting). Each category has separate dev and test phrasings, written as shoppers ask, not
from the engine's vocabulary; relevance is 1 for a product of an asked category.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import CACHE, ROOT, phrased_queries
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.eval.runner import EvalQuery

SHARED = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Ask:
    """One category a shopper asks for, in dev and test phrasings per language."""

    categories: frozenset[str]
    en_dev: tuple[str, ...]
    zh_dev: tuple[str, ...]
    en_test: tuple[str, ...]
    zh_test: tuple[str, ...]


ASKS_FILE = Path(__file__).with_name("category_asks.tsv")  # categories, then "|"-separated phrasings per column


def _asks() -> list[Ask]:
    """The categories shoppers ask for and their phrasings, from ASKS_FILE."""
    lines = ASKS_FILE.read_text(encoding="utf-8").splitlines()[1:]
    fields = [line.split("\t") for line in lines if line.strip()]
    return [Ask(frozenset(f[0].split()), *(tuple(column.split("|")) for column in f[1:])) for f in fields]


ASKS = _asks()


def dummyjson_rows() -> list[dict]:
    """The 100 DummyJSON products with photos (ids `dj-N`), as catalogue records with absolute image paths."""
    folder = SHARED / "dummyjson"
    data = json.loads((folder / "products.json").read_text())["products"]
    return [
        {
            "id": f"dj-{raw['id']}",
            "title": raw["title"],
            "description": raw["description"],
            "brand": raw["brand"],
            "category": raw["category"],
            "price": raw["price"],
            "images": [str(folder / path) for path in raw["images"] if not path.endswith("thumbnail.jpg")][:3],
        }
        for raw in data
    ]


def dummyjson_2024_rows() -> list[dict]:
    """The 194 text-only DummyJSON products (ids `dj24-N`) with their tags and reviews."""
    data = json.loads((SHARED / "dummyjson-2024" / "products.json").read_text())
    return [
        {
            "id": f"dj24-{raw['id']}",
            "title": raw["title"],
            "description": raw["description"],
            "brand": raw.get("brand") or "",
            "category": raw["category"],
            "price": raw["price"],
            "tags": " ".join(raw.get("tags") or []),
            "reviews": [r["comment"] for r in raw.get("reviews") or []],
        }
        for raw in data
    ]


def in_split(rows: list[dict], split: str) -> list[dict]:
    """The rows of one split: odd ids are dev, even ids are test."""
    return [row for row in rows if (int(str(row["id"]).rsplit("-", 1)[1]) % 2 == 1) == (split == "dev")]


def catalogue(rows: list[dict], signals: str) -> list[dict]:
    """Records keeping the signals asked for: `images`, `text` (all but images) or `title+description+images`
    (what a shop gives at least: no category or brand fields to match words against)."""
    if signals == "images":
        return [{"id": row["id"], "images": row["images"]} for row in rows]
    if signals == "text":
        return [{k: v for k, v in row.items() if k != "images"} for row in rows]
    kept = ("id", "title", "description", "price", "images")
    return [{k: v for k, v in row.items() if k in kept} for row in rows]


def index_of(name: str, records: list[dict]) -> ShopSeek:
    """An index of these records, built once under the benchmark cache."""
    folder = CACHE / "general" / name
    if not (folder / "catalog.sqlite").exists():
        path = CACHE / "general" / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        shop = ShopSeek(folder)
        shop.ingest(read_catalog(path))
        return shop
    return ShopSeek(folder)


def queries_for(rows: list[dict], split: str) -> tuple[list[EvalQuery], dict[str, dict[str, int]]]:
    """The split's phrasings of every category present in `rows`, and their judgements."""
    return phrased_queries(
        (
            {row["id"]: 1 for row in rows if row.get("category") in ask.categories},
            {"en": ask.en_dev, "zh": ask.zh_dev} if split == "dev" else {"en": ask.en_test, "zh": ask.zh_test},
        )
        for ask in ASKS
    )
