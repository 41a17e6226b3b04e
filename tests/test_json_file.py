"""Snapshot JSON files written in pieces read back exactly as one json.dumps would have written them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopseek.index import json_file


def test_a_json_object_written_in_pieces_reads_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_file, "CHUNK", 3)  # every level split into several pieces
    value = {
        "mean_length": 4.5,
        "words": {f"词{n}": n for n in range(10)},  # larger than a piece: written in pieces itself
        "small": {"a": 1},
        "empty": {},
        **{n: [f"token{n}", "红色"] for n in range(8)},
    }
    path = tmp_path / "value.json"
    json_file.write_json(path, value)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(value, ensure_ascii=False))
    assert len(list(json_file.pieces(value))) > 6 and not (tmp_path / "value.json.tmp").exists()
    json_file.write_json(path, {})
    assert json.loads(path.read_text()) == {}
