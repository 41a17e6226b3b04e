"""Choose the fusion settings that must hold in every shop on dev catalogues of several domains (never on test):
the fashion dev split (titles + images, images only; and its products with 224 px photos as studio shots, alone and
with titles stripped of colour words) and the DummyJSON dev splits (title + description + images, images only, text
only). Reports nDCG@10 per catalogue for each candidate and each single signal.

Run: .venv/bin/python -m benchmarks.tune_general
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.common import attribute_queries, split_products, test_index, write_result
from benchmarks.general import catalogue, dummyjson_2024_rows, dummyjson_rows, in_split, index_of, queries_for
from benchmarks.studio_catalogue import catalogue_index
from shopseek.app import ShopSeek
from shopseek.config import Signal
from shopseek.eval.metrics import evaluate
from shopseek.eval.runner import EvalQuery
from shopseek.search.engine import Query, SearchEngine

SINGLE: tuple[Signal, ...] = ("lexical", "dense", "cross_modal", "visual_words")
CANDIDATES: dict[str, dict] = {
    f"English rendition's weight in a Chinese query's vector: {say}": {"english_rendition_say": say}
    for say in (1.0, 1.5, 2.0, 3.0, 4.0)
}  # round 13: the weight of a Chinese query's English rendition against the query itself in its text vector (1: their
# mean, as before). Round 12 (results/tune_general_round12.json) chose the say of the texts nearest the query pulled
# towards the first result's text, and that pull. Round 11
# (results/tune_general_round11.json) chose the say the word matches keep when the best holding the query's head
# noun only mention it (not in their names); the rest passes to dense. Round 10 (results/tune_general_round10.json)
# chose the gap between the heads' picks and visual words' own, measured on visual words' spread of scores
# (raw score gap 0.02 before: results/tune_general_round9.json), with three dev phrasings per category and language.
# Round 9 chose the trust settings again with the v4 heads and the studio catalogues. Round 8 chose the photo
# signals' say for a colour the best word matches do not name (8; results/tune_general_round8.json), round 7 the
# matching head's weight (0.25; results/tune_general_round7.json), round 6 the trust
# (results/tune_general_round6.json: heads confident
# at 0.55, visual words sure at 0.016; confident at 2 is never by the heads' own scores, sure at 0 is visual words'
# disagreement always counting). Round 5
# (lexical share 0 / 0.1 / 0.2 / 0.35 / 0.5: equal on dev, chose 0.2) is in results/tune_general_round5.json. Earlier
# rounds (v2 heads: no trust, then gaps 0.016/0.02 x colour x
# match with colour always on) are in results/tune_general_round1.json and tune_general_round2.json; round 3 (v3 heads,
# colour always on) in tune_general_round3.json; round 4 (gap x colour weight, chose gap 0.02, colour 0.5) in
# tune_general_round4.json.
Catalogue = tuple[ShopSeek, list[EvalQuery], dict[str, dict[str, int]]]


def fashion(name: str, text: bool) -> Catalogue:
    """A fashion dev index with shopper-phrased attribute queries."""
    return test_index(name, split="dev", text=text), *attribute_queries(split_products("dev"), 100, seed=2)


def general(name: str, rows_of: Callable[[], list[dict]], signals: str) -> Catalogue:
    """A DummyJSON dev index with its category queries."""
    rows = in_split(rows_of(), "dev")
    queries, qrels = queries_for(rows, "dev")
    return index_of(f"{name}-dev", catalogue(rows, signals)), queries, qrels


def studio(name: str) -> Catalogue:
    """One of the studio-shot catalogues of the fashion dev products with photos, with their attribute queries."""
    products = [p for p in split_products("dev") if p.has_photo]
    return catalogue_index(name, "dev", products), *attribute_queries(products, 100, seed=2)


def score(catalogue: Catalogue, settings: dict, signals: frozenset[Signal] | None = None) -> float:
    """nDCG@10 of one catalogue's queries with these settings."""
    shop, queries, qrels = catalogue
    trying = shop.settings.model_copy(update=settings, deep=True)
    engine = SearchEngine(shop.store, shop.indexes, shop.encoder, trying, terms=shop.terms, synonyms=shop.synonyms)
    run = {}
    for q in queries:
        hits = engine.search(Query(q.text, k=20, signals=signals)).hits
        run[q.qid] = {hit.product.id: hit.score for hit in hits}
    return round(evaluate(qrels, run, ["nDCG@10"])["nDCG@10"], 4)


def main() -> None:
    """Score every candidate and single signal on every dev catalogue; write benchmarks/results/tune_general.json."""
    catalogues = {
        "fashion titles+images": fashion("fashion-dev", True),
        "fashion images only": fashion("fashion-dev-images", False),
        "fashion studio shots only": studio("studio shots only"),
        "fashion studio shots + titles without colour": studio("studio shots + titles without colour"),
        "dummyjson title+description+images": general(
            "dummyjson-title-description-images", dummyjson_rows, "title+description+images"
        ),
        "dummyjson images only": general("dummyjson-images-only", dummyjson_rows, "images"),
        "dummyjson-2024 text": general("dummyjson-2024-text", dummyjson_2024_rows, "text"),
    }
    result: dict[str, dict[str, float]] = {}
    for signal in SINGLE:
        result[f"only {signal}"] = {name: score(c, {}, frozenset({signal})) for name, c in catalogues.items()}
        print(f"only {signal}", result[f"only {signal}"], flush=True)
    for label, settings in CANDIDATES.items():
        per = {name: score(c, settings) for name, c in catalogues.items()}
        result[label] = {**per, "mean": round(sum(per.values()) / len(per), 4)}
        print(label, result[label], flush=True)
    print(write_result("tune_general", result))


if __name__ == "__main__":
    main()
