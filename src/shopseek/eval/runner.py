"""Run query sets through an index in several modes and collect metrics per mode and language."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopseek.app import ShopSeek
from shopseek.catalog.media import load_image
from shopseek.config import SIGNALS, Signal
from shopseek.eval.metrics import DEFAULT_MEASURES, Qrels, evaluate
from shopseek.search.engine import Query

MODES: dict[str, frozenset[Signal] | None] = {
    "bm25": frozenset({"lexical"}),
    "dense": frozenset({"dense"}),
    "cross_modal": frozenset({"cross_modal"}),
    "visual_words": frozenset({"visual_words"}),
    "hybrid": frozenset(SIGNALS) - {"personal", "match"},
    "hybrid+match": None,
}
MEASURE_NAMES = {"AP": "MAP", "R@10": "Recall@10", "R@100": "Recall@100", "Success@10": "Hits@10", "RR": "MRR"}


@dataclass(frozen=True)
class EvalQuery:
    """One query of an evaluation set: words and/or a photo, and its language."""

    qid: str
    text: str
    image: str | None
    language: str


def read_queries(path: Path) -> list[EvalQuery]:
    """Queries from JSONL lines `{"qid", "text"?, "image"?, "language"?}` (image paths relative to the file)."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            image = str((path.parent / raw["image"]).resolve()) if raw.get("image") else None
            queries.append(EvalQuery(str(raw["qid"]), raw.get("text", ""), image, raw.get("language", "all")))
    return queries


def run_mode(shop: ShopSeek, queries: list[EvalQuery], signals: frozenset[Signal] | None, k: int = 100) -> dict:
    """A run {qid: {product_id: score}} for one mode."""
    run = {}
    for query in queries:
        image = load_image(query.image) if query.image else None
        hits = shop.search(Query(query.text, image, k, signals=signals)).hits
        run[query.qid] = {hit.product.id: hit.score for hit in hits}
    return run


def evaluate_modes(
    shop: ShopSeek, queries: list[EvalQuery], qrels: Qrels, progress: Callable[[str], None] | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """{mode: {language: {measure: value}}} for every mode, overall and per language."""
    languages = ["all", *sorted({q.language for q in queries} - {"all"})]
    results: dict[str, dict[str, dict[str, float]]] = {}
    for mode, signals in MODES.items():
        if progress:
            progress(mode)
        run = run_mode(shop, queries, signals)
        results[mode] = {}
        for language in languages:
            subset = [q.qid for q in queries if language in ("all", q.language)]
            scores = evaluate({q: qrels.get(q, {}) for q in subset}, {q: run[q] for q in subset}, DEFAULT_MEASURES)
            results[mode][language] = {MEASURE_NAMES.get(m, m): round(v, 4) for m, v in scores.items()}
    return results
