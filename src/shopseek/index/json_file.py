"""JSON files written in pieces, so a big snapshot file never stalls the threads serving searches.

One `json.dumps` call holds the interpreter lock from start to end: dumping a million products' token lists at
once stopped every search for 2.6 s. Written a few thousand entries per call, other threads run in between.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CHUNK = 5_000  # entries per json.dumps call


def write_json(path: Path, value: Mapping[Any, Any]) -> None:
    """Write a JSON object atomically (temporary file, then rename), in pieces; keys are written as strings."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for piece in pieces(value):
            handle.write(piece)
    temporary.replace(path)


def pieces(value: Mapping[Any, Any]) -> Iterator[str]:
    """The JSON text of an object, CHUNK entries per piece (nested objects larger than CHUNK likewise)."""
    yield "{"
    items, separator = list(value.items()), ""
    for start in range(0, len(items), CHUNK):
        plain: dict[str, Any] = {}
        for key, item in items[start : start + CHUNK]:
            if isinstance(item, Mapping) and len(item) > CHUNK:
                if plain:
                    yield separator + json.dumps(plain, ensure_ascii=False)[1:-1]
                    separator, plain = ",", {}
                yield separator + json.dumps(str(key), ensure_ascii=False) + ":"
                yield from pieces(item)
                separator = ","
            else:
                plain[str(key)] = item
        if plain:
            yield separator + json.dumps(plain, ensure_ascii=False)[1:-1]
            separator = ","
    yield "}"
