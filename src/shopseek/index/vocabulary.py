"""A fixed list of words held compactly: one UTF-8 buffer in number order, and the numbers in order of the words'
hashes for lookups.

A million words as a Python dict of strings took about 180 bytes a word; here about 30. Built in a fraction of a second
(a sort of integers; sorting the strings held the interpreter lock for seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


class Vocabulary:
    """Words numbered 0..n-1 in the order given; immutable, so readers share it without a lock."""

    def __init__(self, words: Sequence[str]) -> None:
        encoded = [word.encode() for word in words]
        self._ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)))
        self._blob = b"".join(encoded)
        self._index_hashes(encoded)

    def __len__(self) -> int:
        return len(self._ends)

    def __getstate__(self) -> tuple[bytes, np.ndarray]:
        return self._blob, self._ends  # hashes differ between processes: each makes its own

    def __setstate__(self, state: tuple[bytes, np.ndarray]) -> None:
        self._blob, self._ends = state
        self._index_hashes([self._bytes(number) for number in range(len(self._ends))])

    def _index_hashes(self, encoded: list[bytes]) -> None:
        hashes = np.fromiter(map(hash, encoded), np.int64, len(encoded))  # this process's hashes, never saved
        self._by_hash = np.argsort(hashes, kind="stable").astype(np.int32)
        self._hashes = hashes[self._by_hash]

    def _bytes(self, number: int) -> bytes:
        return self._blob[int(self._ends[number - 1]) if number else 0 : int(self._ends[number])]

    def word(self, number: int) -> str:
        """The word numbered so."""
        return self._bytes(number).decode()

    def words(self) -> list[str]:
        """Every word, in number order."""
        return [self.word(number) for number in range(len(self))]

    def number(self, word: str) -> int | None:
        """The word's number, or None when it is not held."""
        target = word.encode()
        wanted = hash(target)
        at = int(np.searchsorted(self._hashes, wanted))
        while at < len(self._hashes) and self._hashes[at] == wanted:
            if self._bytes(int(self._by_hash[at])) == target:
                return int(self._by_hash[at])
            at += 1
        return None

    def save(self, path: Path) -> None:
        """One word a line, in number order (words never hold white space)."""
        path.write_bytes(b"\n".join(self._bytes(number) for number in range(len(self))))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """Read what `save` wrote."""
        text = path.read_text(encoding="utf-8")
        return cls(text.split("\n") if text else [])
