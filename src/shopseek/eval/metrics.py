"""Retrieval metrics through ir-measures (trec_eval definitions): each measure's mean over the judged queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import ir_measures
from ir_measures import Measure

from shopseek.errors import BadInput

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Mapping[str, float]]

DEFAULT_MEASURES = ["nDCG@10", "AP", "R@10", "R@100", "P@10", "Success@10", "RR"]


def parse_measures(names: Iterable[str]) -> list[Measure]:
    """ir-measures objects from names like `nDCG@10`."""
    return [ir_measures.parse_measure(name) for name in names]


def evaluate(qrels: Qrels, run: Run, measures: Iterable[str] = DEFAULT_MEASURES) -> dict[str, float]:
    """Mean of each measure over the queries that have judgements (queries with no results score 0)."""
    parsed = parse_measures(measures)
    judged = {q: dict(d) for q, d in qrels.items() if d}
    complete = {q: dict(run.get(q, {})) for q in judged}
    scores = {str(m): 0.0 for m in parsed}
    for metric in ir_measures.iter_calc(parsed, judged, {q: r for q, r in complete.items() if r}):
        scores[str(metric.measure)] += metric.value
    return {name: (total / len(judged) if judged else 0.0) for name, total in scores.items()}


def read_trec_qrels(path: Path) -> dict[str, dict[str, int]]:
    """A TREC qrels file (`qid 0 doc gain`) as {qid: {doc: gain}}; BadInput naming the first malformed line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if parts and (len(parts) != 4 or not parts[3].lstrip("-").isdigit()):
            raise BadInput(f"{path} line {number}: expected `qid 0 product_id gain`, got {line[:80]!r}")
    qrels: dict[str, dict[str, int]] = {}
    for judged in ir_measures.read_trec_qrels(str(path)):
        qrels.setdefault(judged.query_id, {})[judged.doc_id] = int(judged.relevance)
    return qrels
