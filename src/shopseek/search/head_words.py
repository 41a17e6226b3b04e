"""Head-word awareness: a query names a kind of thing ("laptop"); a product whose title uses that word only to
describe something else ("laptop bag", "phone case") is another kind of thing, and goes after those that are it.

The head of an English noun phrase is its last noun before a qualifier ("for", "with", "-", ","): "laptop bag
for 15 inch laptops" is a bag. Only such modifier uses are moved down, and only within the first results. Word
matches that hold only a query's modifiers ("women" of "scent for women") leave the BM25 list when others hold its
head.
"""

from __future__ import annotations

import functools
import re

from shopseek.index.base import Hits
from shopseek.language import stem, to_english

QUALIFIER = re.compile(r"\s(?:for|with|compatible|fits|to|of|in|by|from)\s|[-–(),/|:]")
WORD = re.compile(r"[a-z][a-z0-9]*")
JOINED = re.compile(r"(?<=[a-z])-(?=[a-z])")  # "t-shirt" is one word ("tshirt", as the tokenizer also reads it)
HEAD_POOL = 50
TITLES_KEPT = 65_536
# Sizes and counts that follow a head noun ("laptop 14 inch", "socks pack of 3") are not heads.
UNITS = frozenset("inch inches cm mm m kg g gb tb mb ml l oz lb pack pcs pieces piece set pair pairs mah w".split())  # noqa: SIM905


@functools.lru_cache(maxsize=TITLES_KEPT)
def _words(text: str) -> tuple[str, ...]:
    """The stemmed words of a text's main phrase (before any qualifier), without sizes, counts and model codes
    (kept per text: the same titles come back query after query)."""
    main = QUALIFIER.split(JOINED.sub("", to_english(text).lower()), maxsplit=1)[0]
    return tuple(stem(w) for w in WORD.findall(main) if w not in UNITS and not any(c.isdigit() for c in w))


def head_of(text: str) -> str | None:
    """The stemmed head word of a title or query (its last word before any qualifier), or None."""
    words = _words(text)
    return words[-1] if words else None


def holding_head(hits: Hits, holding: set[int]) -> Hits:
    """The word matches whose text holds the query's head noun (`holding`: those keys), when any does: a product
    matching only the query's modifiers ("women" of "scent for women") is another kind of thing; unchanged when
    none holds it."""
    return [hit for hit in hits if hit[0] in holding] if holding else hits


def modifies(words: tuple[str, ...], head: str) -> bool:
    """True when a title's words use the query's head word, but as a modifier of another head ("laptop bag")."""
    return head in words and words[-1] != head


def heads_first(query: str, ranked: list[tuple[int, float]], titles: dict[int, str]) -> list[tuple[int, float]]:
    """The first results with every product that only carries the query's head word as a modifier moved just below
    the last product that is the thing asked for (nothing moves when none is); unchanged without a head word."""
    head = head_of(query)
    if head is None:
        return ranked
    pool = ranked[:HEAD_POOL]
    words = [_words(titles.get(key, "")) for key, _ in pool]  # each title read once
    is_it = [bool(found) and found[-1] == head for found in words]
    if True not in is_it:
        return ranked
    last = len(is_it) - 1 - is_it[::-1].index(True)
    moved = [hit for hit, found in zip(pool[:last], words, strict=False) if modifies(found, head)]
    if not moved:
        return ranked
    kept = [hit for hit in pool[: last + 1] if hit not in moved]
    return kept + moved + pool[last + 1 :] + ranked[HEAD_POOL:]
