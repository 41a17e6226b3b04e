"""Retrieval metrics through ir-measures (trec_eval definitions), aggregate and per query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import ir_measures
from ir_measures import Measure

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


def _rows(path: Path, columns: int) -> list[list[str]]:
    """The whitespace-split lines of a TREC file that have the expected number of columns (others are skipped)."""
    return [parts for line in path.read_text().splitlines() if len(parts := line.split()) == columns]


def read_trec_run(path: Path) -> dict[str, dict[str, float]]:
    """A TREC run file as {qid: {doc: score}}."""
    run: dict[str, dict[str, float]] = {}
    for qid, _, doc, _, score, _ in _rows(path, 6):
        run.setdefault(qid, {})[doc] = float(score)
    return run


def read_trec_qrels(path: Path) -> dict[str, dict[str, int]]:
    """A TREC qrels file (`qid 0 doc gain`) as {qid: {doc: gain}}."""
    qrels: dict[str, dict[str, int]] = {}
    for qid, _, doc, gain in _rows(path, 4):
        qrels.setdefault(qid, {})[doc] = int(gain)
    return qrels
