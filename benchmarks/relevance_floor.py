"""The relevance floor: what it costs real queries and how much nonsense it silences, per catalogue and language.

Windows are chosen on the dev catalogues (`--split dev`, a small grid) and then measured once on test. For each
catalogue: nDCG@10 of the full engine with the floor off and on, the share of real queries left with no result,
and the share of 50 nonsense queries (keyboard mashes, made-up words, random Chinese, digits, lorem ipsum) that
return nothing.

Run: .venv/bin/python -m benchmarks.relevance_floor [--split dev|test]
"""

from __future__ import annotations

import argparse
import itertools

from benchmarks.common import attribute_queries, split_products, test_index, write_result
from benchmarks.general import catalogue, dummyjson_2024_rows, dummyjson_rows, in_split, index_of, queries_for
from shopseek.app import ShopSeek
from shopseek.eval.metrics import evaluate
from shopseek.eval.runner import EvalQuery
from shopseek.search.engine import Query, SearchEngine

NONSENSE = [
    "qqqzzzxxx", "asdfgh", "zxcvbnm qwerty", "blorptang", "xyzzy plugh", "lorem ipsum dolor", "kjhgf lkjh",
    "vvvvvv", "ooo eee", "glorp snarf", "12345 67890", "!!!???", "mxyzptlk", "thequickbrownfox", "florb wizzle",
    "grunkle pax", "zzyzx", "bwahaha", "snorfblat", "quux frobnicate", "wibble wobble", "plonk zing", "hjkl hjkl",
    "aaaaaaa", "bbbb cccc", "pqowieur", "mnbvcxz", "trogdor burninator", "skibidi", "yeet yeet", "gobbledygook",
    "fizzbuzz", "foo bar baz", "dolor sit amet", "xkcd 927", "0000 1111", "#$%^&*", "ø å æ", "ababab", "zork",
    "哈哈哈嘿嘿", "叽里咕噜", "咕噜咕噜", "嗯嗯啊啊", "呜呜呜", "嘻嘻哈哈", "啦啦啦", "哎呀呀", "唧唧复唧唧", "喵喵喵",
]  # fmt: skip
GRID = {"dense_window": (0.03, 0.05, 0.08), "photo_window": (0.02, 0.05)}
CHOSEN = {"dense_window": 0.05, "photo_window": 0.05}
Catalogue = tuple[ShopSeek, list[EvalQuery], dict[str, dict[str, int]]]


def catalogues(split: str) -> dict[str, Catalogue]:
    """The catalogues of one split: fashion (titles + images), DummyJSON (full), DummyJSON-2024 (text)."""
    products = split_products(split)
    queries, qrels = attribute_queries(products, 100, seed=2 if split == "dev" else 1)
    fashion = test_index("fashion-dev" if split == "dev" else "fashion-test", split=split)
    out: dict[str, Catalogue] = {"fashion titles+images": (fashion, queries, qrels)}
    for name, rows_of, signals in (
        ("dummyjson title+description+images", dummyjson_rows, "title+description+images"),
        ("dummyjson-2024 text", dummyjson_2024_rows, "text"),
    ):
        rows = in_split(rows_of(), split)
        queries, qrels = queries_for(rows, split)
        folder = f"{name.split()[0]}-{signals.replace('+', '-')}-{split}"
        out[name] = (index_of(folder, catalogue(rows, signals)), queries, qrels)
    return out


def measure(shop: ShopSeek, queries: list[EvalQuery], qrels: dict, settings: dict[str, object]) -> dict[str, float]:
    """nDCG@10 per language, real queries left empty, and nonsense answered with nothing, under these settings."""
    engine = SearchEngine(
        shop.store, shop.indexes, shop.encoder, shop.settings.model_copy(update=settings), terms=shop.terms
    )
    run: dict[str, dict[str, float]] = {}
    for q in queries:
        run[q.qid] = {hit.product.id: hit.score for hit in engine.search(Query(q.text, k=20)).hits}
    out = {}
    for language in ("all", "en", "zh"):
        subset = [q.qid for q in queries if language in ("all", q.language)]
        picked = {qid: qrels.get(qid, {}) for qid in subset}
        out[f"nDCG@10 {language}"] = round(evaluate(picked, {q: run[q] for q in subset}, ["nDCG@10"])["nDCG@10"], 4)
    out["real queries empty"] = round(sum(not run[q.qid] for q in queries) / len(queries), 4)
    silent = sum(engine.search(Query(text, k=10)).total == 0 for text in NONSENSE)
    out["nonsense empty"] = round(silent / len(NONSENSE), 4)
    return out


def main() -> None:
    """Sweep the margins on dev, or measure the chosen ones against no floor on test."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    split = parser.parse_args().split
    found = catalogues(split)
    settings: dict[str, dict[str, object]] = {"no floor": {"relevance_floor": False}}
    if split == "dev":
        for values in itertools.product(*GRID.values()):
            margins = dict(zip(GRID, values, strict=True))
            settings[" ".join(f"{k} {v}" for k, v in margins.items())] = {"relevance_floor": True, **margins}
    else:
        settings["floor " + " ".join(f"{k} {v}" for k, v in CHOSEN.items())] = {"relevance_floor": True, **CHOSEN}
    result: dict[str, dict[str, dict[str, float]]] = {}
    for label, chosen in settings.items():
        result[label] = {name: measure(*cat, chosen) for name, cat in found.items()}
        print(label, result[label], flush=True)
    print(write_result(f"relevance_floor_{split}", result))


if __name__ == "__main__":
    main()
