"""How often each catalogue word occurs, held compactly: the words a snapshot restored in a vocabulary with an array of
counts, the words new since in a Counter.

A million words (a catalogue of model codes) in a Counter took about 100 bytes a word; restored here, about 35.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Mapping
from operator import itemgetter

import numpy as np

from shopseek.index.vocabulary import Vocabulary


class WordCounts:
    """Word → count; callers lock."""

    def __init__(self, counts: Mapping[str, int] | None = None) -> None:
        counts = counts or {}
        self._restored = Vocabulary(list(counts))
        self._restored_counts = np.fromiter(counts.values(), np.int64, len(counts))
        self._new: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._restored) + len(self._new)

    def __contains__(self, word: str) -> bool:
        return word in self._new or self._restored.number(word) is not None

    def __getitem__(self, word: str) -> int:
        if word in self._new:
            return self._new[word]
        number = self._restored.number(word)
        return 0 if number is None else int(self._restored_counts[number])

    def add(self, word: str) -> None:
        """Count a word (again)."""
        number = None if word in self._new else self._restored.number(word)
        if number is None:
            self._new[word] += 1
        else:
            self._restored_counts[number] += 1

    def most_common(self) -> Iterator[tuple[str, int]]:
        """Every word with its count, most frequent first (lazily: callers take the first few they want)."""
        order = np.argsort(-self._restored_counts, kind="stable")
        restored = ((self._restored.word(int(n)), int(self._restored_counts[n])) for n in order)
        return heapq.merge(restored, self._new.most_common(), key=itemgetter(1), reverse=True)

    def as_dict(self) -> dict[str, int]:
        """Every word with its count."""
        counts = dict(zip(self._restored.words(), self._restored_counts.tolist(), strict=True))
        counts.update(self._new)
        return counts
