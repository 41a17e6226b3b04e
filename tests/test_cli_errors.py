"""Commands explain a ShopSeekError in one line and exit 2, instead of a traceback or a silent empty index."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from shopseek.cli import app

runner = CliRunner()


def test_searching_a_missing_index_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    result = runner.invoke(app, ["search", "shirt", "--index", str(missing)])
    assert result.exit_code == 2
    assert "is not a shopseek index" in result.output
    assert not missing.exists()


def test_training_a_ranker_on_a_missing_index_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", "ranker", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and "is not a shopseek index" in result.output


def test_an_unknown_catalogue_format_is_refused(tmp_path: Path) -> None:
    catalogue = tmp_path / "products.xml"
    catalogue.write_text("<products/>")
    result = runner.invoke(app, ["ingest", str(catalogue), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2 and "unknown catalogue format" in result.output
    assert not (tmp_path / "index").exists()
