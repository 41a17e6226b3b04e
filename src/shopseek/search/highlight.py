"""Where a product title shows the words a shopper searched for: character spans to mark on the page."""

from __future__ import annotations

import re

from shopseek.language import normalize_text, stem

LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


def highlight_spans(title: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of the title's words whose stem is a query token, and of the
    query's Chinese words found in it."""
    wanted = set(tokens)
    spans = [(m.start(), m.end()) for m in LATIN_WORD.finditer(title) if stem(m.group().lower()) in wanted]
    folded = normalize_text(title)
    if len(folded) == len(title):  # offsets in the folded text are offsets in the title
        for token in wanted:
            if token and not token.isascii():
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(token), folded)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
