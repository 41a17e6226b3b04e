"""Quality beyond fashion: category queries (EN + ZH) on the DummyJSON catalogues, per catalogue, mode, language.

Run: .venv/bin/python -m benchmarks.quality_general [--split dev|test]   (needs ../shared/data)
"""

from __future__ import annotations

from benchmarks.common import split_main
from benchmarks.general import catalogue, dummyjson_2024_rows, dummyjson_rows, in_split, index_of, queries_for
from shopseek.eval.runner import evaluate_modes

CATALOGUES = {
    "dummyjson title+description+images": (dummyjson_rows, "title+description+images"),
    "dummyjson images only": (dummyjson_rows, "images"),
    "dummyjson-2024 text": (dummyjson_2024_rows, "text"),
}


def measure(split: str) -> dict[str, dict]:
    """{catalogue: {mode: {language: measures}}} on one split."""
    result: dict[str, dict] = {}
    for name, (rows_of, signals) in CATALOGUES.items():
        rows = in_split(rows_of(), split)
        shop = index_of(f"{name.replace(' ', '-').replace('+', '-')}-{split}", catalogue(rows, signals))
        queries, qrels = queries_for(rows, split)
        result[name] = evaluate_modes(shop, queries, qrels)
        shop.close()
    return result


def main() -> None:
    """Measure one split and write benchmarks/results/quality_general[_dev].json."""
    split_main("quality_general", measure)


if __name__ == "__main__":
    main()
