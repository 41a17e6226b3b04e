"""Catalogue word counts: restored words in a compact vocabulary, new words beside them, one count per word."""

from __future__ import annotations

import json
from pathlib import Path

from shopseek.search.terms import CatalogueTerms
from shopseek.search.word_counts import WordCounts


def test_counts_add_up_across_restored_and_new_words() -> None:
    counts = WordCounts({"shirt": 5, "m0000001": 1, "红米": 2})
    for word in ("shirt", "jeans", "jeans", "红米"):
        counts.add(word)
    assert counts["shirt"] == 6 and counts["jeans"] == 2 and counts["红米"] == 3 and counts["dress"] == 0
    assert "m0000001" in counts and "jeans" in counts and "dress" not in counts and len(counts) == 4
    assert counts.as_dict() == {"shirt": 6, "m0000001": 1, "红米": 3, "jeans": 2}
    assert list(counts.most_common()) == sorted(counts.as_dict().items(), key=lambda item: -item[1])


def test_terms_restored_from_a_snapshot_count_and_correct_as_before(tmp_path: Path) -> None:
    texts = ["Slim fit cotton shirt M0001", "Blue denim jeans", "Cotton shirt with pocket"] * 3
    learned = CatalogueTerms()
    learned.add(texts)
    learned.save(tmp_path / "terms.json")
    restored = CatalogueTerms()
    assert restored.restore(tmp_path / "terms.json")
    restored.add(["Cotton dress"])
    learned.add(["Cotton dress"])
    assert restored.frequent(3) == learned.frequent(3) == ["cotton", "shirt", "slim"]
    assert restored.corrected("cottn shirt") == learned.corrected("cottn shirt") == "cotton shirt"
    assert restored.known_words("m0001 cotton glorp") == 2
    restored.save(tmp_path / "again.json")
    learned.save(tmp_path / "learned.json")
    again, first = (json.loads((tmp_path / name).read_text())["words"] for name in ("again.json", "learned.json"))
    assert again == first
