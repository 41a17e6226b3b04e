"""Filters on any attribute with one expression, and exact, disjunctive facet counts."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.encoders.base import ENCODERS
from shopseek.service.api import create_app


def shop_of_shirts(folder: Path) -> ShopSeek:
    """Twelve shirts: colours red (6), blue (4), green (2); half for men, half for women; sizes S and M."""
    colours = ["red"] * 6 + ["blue"] * 4 + ["green"] * 2
    lines = [
        json.dumps(
            {
                "id": f"s{n}",
                "title": f"cotton shirt {n}",
                "category": "shirts",
                "colour": colour,
                "Gender": "Men" if n % 2 else "Women",
                "size": "S" if n < 6 else "M",
            }
        )
        for n, colour in enumerate(colours)
    ]
    (folder / "shirts.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(folder / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(folder / "shirts.jsonl"))
    return shop


def test_any_attribute_filters_and_facets_are_exact_and_disjunctive(tmp_path: Path) -> None:
    client = TestClient(create_app(shop_of_shirts(tmp_path)))
    everything = client.get("/search", params={"q": "shirt", "k": 50}).json()
    assert everything["total"] == 12
    assert everything["facets"]["attributes"]["colour"] == {"red": 6, "blue": 4, "green": 2}
    assert everything["facets"]["attributes"]["gender"] == {"Women": 6, "Men": 6}  # field names case-folded

    red = client.get("/search", params={"q": "shirt", "k": 50, "filter": "colour:Red"}).json()
    assert red["total"] == 6 and {h["id"] for h in red["results"]} == {f"s{n}" for n in range(6)}
    assert red["facets"]["attributes"]["colour"] == {"red": 6, "blue": 4, "green": 2}  # the other colours stay
    assert red["facets"]["attributes"]["gender"] == {"Women": 3, "Men": 3}  # other fields count within the choice
    assert "size" not in red["facets"]["attributes"]  # one value left: nothing to choose between

    params = [("q", "shirt"), ("k", "50"), ("filter", "colour:red|green"), ("filter", "gender:men")]
    both = client.get("/search", params=params).json()
    assert {h["id"] for h in both["results"]} == {"s1", "s3", "s5", "s11"}
    assert both["facets"]["attributes"]["colour"] == {"red": 3, "blue": 2, "green": 1}  # among men

    for bad in ("colour", "colour:", ":red", "x" * 70 + ":y", "colour:red||"):
        response = client.get("/search", params={"q": "shirt", "filter": bad})
        assert response.status_code == 422, bad
