"""The CLI end to end with the real offline models on a tiny catalogue, and the TREC run format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopseek.cli import app

from .conftest import write_image

pytestmark = pytest.mark.models
runner = CliRunner()


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("e2e")
    products = [
        {
            "id": "shirt",
            "title": "Men red cotton shirt",
            "category": "shirts",
            "price": 25,
            "images": ["s.png"],
        },
        {
            "id": "jeans",
            "title": "Women blue denim jeans",
            "category": "jeans",
            "price": 40,
            "images": ["j.png"],
        },
        {"id": "phone", "title": "Smartphone with 6.5 inch screen", "category": "smartphones", "price": 300},
        {"id": "photo-only", "images": ["p.png"]},
    ]
    write_image(folder / "s.png", "red")
    write_image(folder / "j.png", "blue")
    write_image(folder / "p.png", "green")
    catalog = folder / "catalog.jsonl"
    catalog.write_text("\n".join(json.dumps(p) for p in products) + "\n{broken\n")
    result = runner.invoke(app, ["ingest", str(catalog), "--index", str(folder / "index")])
    assert result.exit_code == 0, result.output
    assert "ingested 4 products" in result.output
    assert "line 5" in result.output and "invalid JSON" in result.output
    return folder


def test_search_prints_a_table(real_index: Path) -> None:
    result = runner.invoke(app, ["search", "红色衬衫", "--index", str(real_index / "index"), "--k", "2"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│" in line and "shirt" in line]
    assert rows, result.output
    assert "手机" not in result.output


def test_search_by_photo(real_index: Path) -> None:
    write_image(real_index / "query.png", "green", (224, 224))
    result = runner.invoke(
        app,
        [
            "search",
            "",
            "--image",
            str(real_index / "query.png"),
            "--index",
            str(real_index / "index"),
            "--k",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "photo-only" in result.output


def test_search_batch_writes_trec_lines(real_index: Path) -> None:
    queries = real_index / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"qid": "q1", "text": "phone"},
                {"qid": "q2", "text": "牛仔裤"},
                {"qid": "q3", "image": "s.png"},
            ]
        )
    )
    run = real_index / "run.trec"
    args = ["search-batch", str(queries), "--index", str(real_index / "index"), "--k", "3", "--out", str(run)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = run.read_text().splitlines()
    pattern = re.compile(r"^(\S+) Q0 (\S+) (\d+) (-?\d+\.\d+) shopseek$")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    by_query: dict[str, list[tuple[int, float]]] = {}
    for match in parsed:
        assert match
        by_query.setdefault(match[1], []).append((int(match[3]), float(match[4])))
    assert set(by_query) == {"q1", "q2", "q3"}
    for ranked in by_query.values():
        assert len(ranked) <= 3
        assert [rank for rank, _ in ranked] == list(range(1, len(ranked) + 1))
        assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    first = {line.split()[0]: line.split()[2] for line in reversed(lines)}
    assert first == {"q1": "phone", "q2": "jeans", "q3": "shirt"}


def test_bad_photo_is_a_clear_error(real_index: Path) -> None:
    bad = real_index / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    result = runner.invoke(app, ["search", "", "--image", str(bad), "--index", str(real_index / "index")])
    assert result.exit_code == 2
    assert "not an image" in result.output


def test_ingest_fails_when_nothing_was_ingested_and_refuses_unknown_formats_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{broken\n" + json.dumps({"title": "no id"}) + "\n")
    result = runner.invoke(app, ["ingest", str(bad), "--index", str(tmp_path / "index")])
    assert result.exit_code == 1 and "no product was ingested" in result.output
    text = tmp_path / "catalog.txt"
    text.write_text("id,title\n1,shirt\n")
    result = runner.invoke(app, ["ingest", str(text), "--index", str(tmp_path / "other")])
    assert result.exit_code == 2 and "unknown catalogue format" in result.output
    assert not (tmp_path / "other").exists()
