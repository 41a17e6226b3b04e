"""Gear and accessory types asked for as shoppers do (bags, watches, belts, caps, sports shoes …), in English and
Chinese: nDCG@10 per mode and language on the fashion split, with titles + images and with images only.

The held-out real shop asks for its gear this way; these are its closest queries here. Each row of gear_asks.tsv
names article types of the fashion set and two phrasings per split and language (dev phrasings for choosing,
test phrasings for reporting); a product is relevant when its article type is one of the row's.

Run: .venv/bin/python -m benchmarks.gear_types [--split dev|test]   (needs ../shared/data)
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import phrased_queries, split_main, split_products, test_index
from shopseek.eval.runner import EvalQuery, evaluate_modes
from shopseek.lab.fashion import FashionProduct

ASKS_FILE = Path(__file__).with_name("gear_asks.tsv")  # article types, then "|"-separated phrasings per column
LANGUAGES = ("en", "zh")
COLUMNS = {"dev": (1, 2), "test": (3, 4)}  # the English and Chinese phrasing columns of each split


def gear_queries(products: list[FashionProduct], split: str) -> tuple[list[EvalQuery], dict[str, dict[str, int]]]:
    """The split's phrasings of every gear row with products in the split, and their judgements."""
    rows = [line.split("\t") for line in ASKS_FILE.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return phrased_queries(
        (
            {p.id: 1 for p in products if p.article_type in set(fields[0].split("|"))},
            {language: fields[column].split("|") for language, column in zip(LANGUAGES, COLUMNS[split], strict=True)},
        )
        for fields in rows
    )


def measure(split: str) -> dict:
    """Every mode's nDCG@10 per language on the split's fashion index with titles and with images only."""
    queries, qrels = gear_queries(split_products(split), split)
    return {
        "titles+images": evaluate_modes(test_index(f"fashion-{split}", split=split), queries, qrels),
        "images only": evaluate_modes(test_index(f"fashion-{split}-images", text=False, split=split), queries, qrels),
    }


if __name__ == "__main__":
    split_main("gear_types", measure)
