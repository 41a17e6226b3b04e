"""Readers that turn JSONL, JSON and CSV catalogue files into products, reporting bad lines."""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shopseek.catalog.schema import Product
from shopseek.errors import BadInput

LIST_FIELDS = {"images", "reviews"}


@dataclass(frozen=True)
class ReadProblem:
    """A catalogue line that could not be read, with where and why."""

    line: int
    reason: str
    product_id: str | None = None


@dataclass(frozen=True)
class ReadItem:
    """One product read from a catalogue file and the line it came from."""

    line: int
    product: Product


def validation_reason(exc: ValidationError) -> str:
    """A one-line summary of a pydantic error, naming each bad field."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "product"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def resolve_media(product: Product, base: Path) -> Product:
    """Make relative image and video paths absolute against the catalogue's folder."""

    def resolve(source: str) -> str:
        if source.startswith(("http://", "https://")) or Path(source).is_absolute():
            return source
        return str((base / source).resolve())

    video = resolve(product.video) if product.video else None
    return product.model_copy(update={"images": [resolve(s) for s in product.images], "video": video})


def _parse(raw: Any, line: int, base: Path) -> ReadItem | ReadProblem:
    """Validate one raw record into a product or a problem."""
    product_id = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") is not None else None
    try:
        product = Product.model_validate(raw)
    except ValidationError as exc:
        return ReadProblem(line, validation_reason(exc), product_id)
    except ValueError as exc:
        return ReadProblem(line, str(exc), product_id)
    return ReadItem(line, resolve_media(product, base))


def _read_jsonl(path: Path) -> Iterator[ReadItem | ReadProblem]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                yield ReadProblem(number, f"invalid JSON: {exc.msg}")
                continue
            yield _parse(raw, number, path.parent)


def _read_json(path: Path) -> Iterator[ReadItem | ReadProblem]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        yield ReadProblem(exc.lineno, f"invalid JSON: {exc.msg}")
        return
    records = data.get("products") if isinstance(data, dict) else data
    if not isinstance(records, list):
        yield ReadProblem(1, 'expected a list of products or {"products": [...]}')
        return
    for number, raw in enumerate(records, start=1):
        yield _parse(raw, number, path.parent)


def _csv_value(key: str, value: str) -> Any:
    """Decode a CSV cell: JSON lists/objects, `|`-separated lists for images and reviews."""
    value = value.strip()
    if value.startswith(("[", "{")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    if key in LIST_FIELDS:
        return [v.strip() for v in value.split("|") if v.strip()]
    return value


def _read_csv(path: Path) -> Iterator[ReadItem | ReadProblem]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            raw = {k: _csv_value(k, v) for k, v in row.items() if k and v not in (None, "")}
            if "price" in raw:
                with contextlib.suppress(ValueError):
                    raw["price"] = float(raw["price"])
            yield _parse(raw, reader.line_num, path.parent)


READERS = {".jsonl": _read_jsonl, ".ndjson": _read_jsonl, ".json": _read_json, ".csv": _read_csv}


def read_catalog(path: Path) -> Iterator[ReadItem | ReadProblem]:
    """Every product of a catalogue file, as products and problems in file order (a UTF-8 BOM is fine).

    An unknown format raises ValueError at once, before anything is read or created.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise BadInput(f"{path}: unknown catalogue format (use .jsonl, .json or .csv)")
    return reader(path)
