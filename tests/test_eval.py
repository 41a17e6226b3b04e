"""Evaluation helpers: ir-measures metrics, TREC files, attribute queries and their graded judgements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopseek.errors import BadInput
from shopseek.eval.metrics import evaluate, read_trec_qrels
from shopseek.lab.attribute_queries import AttributeQuery, build_queries, qrels_for, relevance
from shopseek.lab.fashion import FashionProduct, split_of


def product(pid: str, kind: str, colour: str, gender: str) -> FashionProduct:
    return FashionProduct(pid, f"{gender} {colour} {kind}", gender, kind, colour, "Casual", False)


def test_metrics_match_hand_computed_values() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    run = {"q1": {"a": 2.0, "x": 1.0}, "q2": {"x": 2.0, "b": 1.0}}
    scores = evaluate(qrels, run, ["RR", "P@1", "Success@1"])
    assert scores["RR"] == pytest.approx(0.75)
    assert scores["P@1"] == pytest.approx(0.5)
    assert scores["Success@1"] == pytest.approx(0.5)


def test_queries_without_results_count_as_zero() -> None:
    assert evaluate({"q1": {"a": 1}, "q2": {"b": 1}}, {"q1": {"a": 1.0}}, ["RR"])["RR"] == pytest.approx(0.5)


def test_trec_qrels_are_read_and_malformed_lines_named(tmp_path: Path) -> None:
    (tmp_path / "qrels").write_text("q1 0 a 2\n\nq1 0 b 0\nq2 0 c 1\n")
    assert read_trec_qrels(tmp_path / "qrels") == {"q1": {"a": 2, "b": 0}, "q2": {"c": 1}}
    (tmp_path / "bad").write_text("q1 0 a 2\nq1 0 b high\n")
    with pytest.raises(BadInput, match="line 2"):
        read_trec_qrels(tmp_path / "bad")


def test_graded_relevance() -> None:
    query = AttributeQuery("q", "red tshirt men", "en", "Tshirts", "Red", "Men")
    assert relevance(query, product("1", "Tshirts", "Red", "Men")) == 3
    assert relevance(query, product("2", "Tshirts", "Red", "Unisex")) == 3
    assert relevance(query, product("3", "Tshirts", "Red", "Women")) == 2
    assert relevance(query, product("4", "Tshirts", "Blue", "Men")) == 1
    assert relevance(query, product("5", "Shirts", "Red", "Men")) == 0


def test_queries_come_in_english_chinese_pairs_with_judgements() -> None:
    products = [product(str(i), "Tshirts", "Red", "Men") for i in range(3)]
    products += [product(str(10 + i), "Jeans", "Blue", "Women") for i in range(4)]
    queries = build_queries(products, 5)
    assert {q.language for q in queries} == {"en", "zh"}
    assert len(queries) == 4
    qrels = qrels_for(queries, products)
    assert all(qrels[q.qid] for q in queries)


def test_split_is_deterministic_and_roughly_70_10_20() -> None:
    splits = [split_of(str(i)) for i in range(10_000)]
    assert split_of("1163") == split_of("1163")
    assert 0.65 < splits.count("train") / 10_000 < 0.75
    assert 0.15 < splits.count("test") / 10_000 < 0.25


def test_eval_command_writes_a_report_with_plots(fake_shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from shopseek.cli import app

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"qid": "1", "text": "red shirt", "language": "en"}\n{"qid": "2", "text": "红色衬衫", "language": "zh"}\n'
        '{"qid": "3", "text": "blue jeans", "language": "en"}\n'
    )
    qrels = tmp_path / "qrels.trec"
    qrels.write_text("1 0 p1 2\n1 0 p5 1\n2 0 p1 2\n3 0 p2 2\n")
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        ["eval", "--index", str(fake_shop.folder), "--queries", str(queries), "--qrels", str(qrels), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text())
    assert set(results) == {"bm25", "dense", "cross_modal", "visual_words", "hybrid", "hybrid+match"}
    assert set(results["hybrid"]) == {"all", "en", "zh"}
    assert results["bm25"]["en"]["nDCG@10"] > 0.5
    assert {"nDCG@10", "MAP", "Recall@10", "P@10", "Hits@10", "MRR"} <= set(results["hybrid"]["all"])
    report = (out / "report.md").read_text()
    assert "nDCG_at_10.png" in report and (out / "nDCG_at_10.png").stat().st_size > 1000
