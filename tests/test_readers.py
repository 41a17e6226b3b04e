"""Catalogue schema and readers: formats, unknown fields, and bad lines reported with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shopseek.catalog.readers import ReadItem, ReadProblem, read_catalog
from shopseek.catalog.schema import Product


def test_unknown_fields_move_into_attributes_and_ids_become_strings() -> None:
    product = Product.model_validate({"id": 7, "title": "Shoe", "colour": "red", "attributes": {"size": 42}})
    assert product.id == "7"
    assert product.attributes == {"colour": "red", "size": 42}


def test_reviews_accept_strings_and_objects() -> None:
    product = Product.model_validate({"id": "a", "reviews": ["nice", {"text": "ok", "rating": 3}]})
    assert [r.text for r in product.reviews] == ["nice", "ok"]
    assert product.reviews[1].rating == 3


@pytest.mark.parametrize("bad_id", ["../etc", "a/b", "..", ""])
def test_unsafe_ids_are_refused(bad_id: str) -> None:
    with pytest.raises(ValueError):
        Product.model_validate({"id": bad_id})


def test_jsonl_bad_lines_are_reported_and_good_lines_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "ok1", "title": "Shirt"}),
                "{not json",
                json.dumps({"title": "no id"}),
                json.dumps({"id": "bad-price", "price": "cheap"}),
                json.dumps({"id": "bad-images", "images": 5}),
                json.dumps(["not", "an", "object"]),
                json.dumps({"id": "ok2", "images": ["a.jpg"]}),
            ]
        )
    )
    items = list(read_catalog(path))
    good = [i for i in items if isinstance(i, ReadItem)]
    problems = {p.line: p.reason for p in items if isinstance(p, ReadProblem)}
    assert [i.product.id for i in good] == ["ok1", "ok2"]
    assert sorted(problems) == [2, 3, 4, 5, 6]
    assert "invalid JSON" in problems[2]
    assert "id" in problems[3]
    assert "price" in problems[4]
    assert good[1].product.images == [str((tmp_path / "a.jpg").resolve())]


def test_json_list_and_products_object(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"id": "1"}, {"id": "2"}]))
    (tmp_path / "b.json").write_text(json.dumps({"products": [{"id": 3, "title": "x"}]}))
    assert [i.product.id for i in read_catalog(tmp_path / "a.json") if isinstance(i, ReadItem)] == ["1", "2"]
    assert [i.product.id for i in read_catalog(tmp_path / "b.json") if isinstance(i, ReadItem)] == ["3"]


def test_csv_with_lists_and_bad_price(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,title,price,images,colour\n1,Red shirt,9.5,a.jpg|b.jpg,red\n2,Thing,free,,\n,No id,1,,\n")
    items = list(read_catalog(path))
    assert isinstance(items[0], ReadItem)
    assert items[0].product.price == 9.5
    assert len(items[0].product.images) == 2
    assert items[0].product.attributes == {"colour": "red"}
    assert isinstance(items[1], ReadProblem) and items[1].line == 3
    assert isinstance(items[2], ReadProblem) and items[2].line == 4


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text("<x/>")
    with pytest.raises(ValueError, match="unknown catalogue format"):
        list(read_catalog(path))


@pytest.mark.parametrize("price", [float("inf"), float("nan"), "1e309"])
def test_prices_must_be_finite(price: object) -> None:
    with pytest.raises(ValidationError, match="finite"):
        Product.model_validate({"id": "x", "price": float(price)})  # type: ignore[arg-type]


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,title,price\n1,Red shirt,20\n".encode("utf-8-sig"))
    items = list(read_catalog(path))
    assert [type(item) for item in items] == [ReadItem] and items[0].product.id == "1"  # type: ignore[union-attr]


def test_an_unknown_format_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown catalogue format"):
        read_catalog(tmp_path / "catalog.txt")


@pytest.mark.parametrize(
    "field",
    [
        {"title": "x" * 501},
        {"description": "x" * 20_001},
        {"reviews": ["x"] * 201},
        {"images": ["a.jpg"] * 21},
        {"attributes": {"notes": "x" * 2_001}},
        {"attributes": {f"k{n}": n for n in range(101)}},
    ],
)
def test_oversized_fields_are_refused(field: dict) -> None:
    with pytest.raises(ValidationError):
        Product.model_validate({"id": "x", **field})
