"""Every product's tokens in flat arrays: word numbers in one buffer, each product's span of it by key.

Held as Python lists of strings, a million products' tokens took 295 bytes a product; here a product costs 12 bytes
plus 4 a token, and each word is held once: the words read with the lists in a compact vocabulary, the words new since
in a dict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopseek.index.vocabulary import Vocabulary

TOKENS, VOCABULARY = "lexical-tokens.npz", "lexical-vocabulary.txt"  # in a snapshot
GROWTH = 1.5  # the word buffer grows by half when full (amortised O(1) a token)
MIN_GARBAGE = 1 << 20  # replaced tokens tolerated before the buffer is compacted, at least half of it in any case


def starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of these spans begins when they are laid end to end."""
    return np.cumsum(lengths) - lengths


def gathered(flat: np.ndarray, begins: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The spans of `flat` beginning at `begins`, laid end to end."""
    return flat[np.repeat(begins - starts(lengths), lengths) + np.arange(int(lengths.sum()))]


@dataclass(frozen=True)
class TokenTable:
    """A frozen copy of every product's tokens: keys, their token counts, their word numbers end to end."""

    keys: np.ndarray  # int64, ascending
    lengths: np.ndarray  # int64, tokens per key
    ids: np.ndarray  # int32, word numbers, each key's in turn
    vocabulary: Vocabulary  # words numbered below its length
    new_words: list[str]  # the words numbered from there on

    def words(self) -> list[str]:
        """The word of each number."""
        return self.vocabulary.words() + self.new_words

    def items(self) -> Iterator[tuple[int, list[str]]]:
        """Each key with its tokens as strings (one object per word, shared between products)."""
        words = self.words()
        table = np.array(words, dtype=object) if words else np.zeros(0, dtype=object)
        flat, start = table[self.ids], 0
        for key, length in zip(self.keys.tolist(), self.lengths.tolist(), strict=True):
            yield key, flat[start : start + length].tolist()
            start += length

    def save(self, folder: Path) -> None:
        """Write the words still used (one a line) and the integer arrays: read back, they make no object a token."""
        used = np.bincount(self.ids, minlength=len(self.vocabulary) + len(self.new_words)) > 0
        renumbered = (np.cumsum(used) - 1).astype(np.int32)
        np.savez(folder / TOKENS, keys=self.keys, lengths=self.lengths, ids=renumbered[self.ids])
        words = [word for word, kept in zip(self.words(), used.tolist(), strict=True) if kept]
        (folder / VOCABULARY).write_text("\n".join(words), encoding="utf-8")  # tokens never hold white space


class TokenLists:
    """Token lists by product key (small non-negative integers); callers lock."""

    def __init__(self) -> None:
        self._vocabulary = Vocabulary([])
        self._new_words: list[str] = []
        self._new_number: dict[str, int] = {}
        self._flat = np.zeros(1024, dtype=np.int32)
        self._used = 0  # of the buffer, live and replaced tokens
        self._garbage = 0  # replaced or deleted tokens still in the buffer
        self._start = np.full(0, -1, dtype=np.int64)  # by key; -1: not held
        self._length = np.zeros(0, dtype=np.int32)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def held(self, key: int) -> bool:
        """Whether the key has tokens."""
        return 0 <= key < len(self._start) and self._start[key] >= 0

    def get(self, key: int) -> list[str] | None:
        """The key's tokens, or None."""
        if not self.held(key):
            return None
        start = int(self._start[key])
        return [self._word(n) for n in self._flat[start : start + int(self._length[key])].tolist()]

    def _word(self, number: int) -> str:
        """The word numbered so: in the vocabulary, or among the words new since it was made."""
        known = len(self._vocabulary)
        return self._vocabulary.word(number) if number < known else self._new_words[number - known]

    def holding(self, keys: list[int], accepts: Callable[[str], bool]) -> set[int]:
        """The keys among these with a token the test accepts (each distinct word of theirs read once)."""
        held = [key for key in keys if self.held(key)]
        if not held:
            return set()
        lengths = self._length[held].astype(np.int64)
        numbers, where = np.unique(gathered(self._flat, self._start[held], lengths), return_inverse=True)
        words = map(self._word, numbers.tolist())
        accepted = np.fromiter(map(accepts, words), dtype=bool, count=len(numbers))
        owners = np.repeat(np.arange(len(held)), lengths)[accepted[where]]
        return {held[i] for i in np.unique(owners).tolist()}

    def held_keys(self) -> list[int]:
        """Every key held, ascending."""
        return np.flatnonzero(self._start >= 0).tolist()

    def put(self, key: int, tokens: list[str]) -> None:
        """Set a key's tokens."""
        ids = [self._number(token) for token in tokens]
        self.pop(key)
        if key >= len(self._start):
            size = max(key + 1, int(len(self._start) * GROWTH))
            self._start = np.concatenate([self._start, np.full(size - len(self._start), -1, dtype=np.int64)])
            self._length = np.concatenate([self._length, np.zeros(size - len(self._length), dtype=np.int32)])
        if self._used + len(ids) > len(self._flat):
            grown = np.zeros(max(self._used + len(ids), int(len(self._flat) * GROWTH)), dtype=np.int32)
            grown[: self._used] = self._flat[: self._used]
            self._flat = grown
        self._flat[self._used : self._used + len(ids)] = ids
        self._start[key], self._length[key] = self._used, len(ids)
        self._used += len(ids)
        self._count += 1

    def pop(self, key: int) -> bool:
        """Remove a key's tokens; whether it had any."""
        if not self.held(key):
            return False
        self._garbage += int(self._length[key])
        self._start[key], self._length[key] = -1, 0
        self._count -= 1
        if self._garbage > max(MIN_GARBAGE, self._used // 2):
            self._take(self.table())
        return True

    def _number(self, word: str) -> int:
        """The word's number, a new one when it was never seen."""
        number = self._new_number.get(word)
        if number is None:
            number = self._vocabulary.number(word)
        if number is None:
            number = self._new_number[word] = len(self._vocabulary) + len(self._new_words)
            self._new_words.append(word)
        return number

    def table(self) -> TokenTable:
        """A frozen copy of every key's tokens, the buffer's replaced tokens left out."""
        keys = np.flatnonzero(self._start >= 0)
        lengths = self._length[keys].astype(np.int64)
        ids = gathered(self._flat, self._start[keys], lengths)
        return TokenTable(keys, lengths, ids, self._vocabulary, list(self._new_words))

    def adopt(self, vocabulary: Vocabulary) -> None:
        """Hold the words numbered below the vocabulary's length in it rather than in the dict of new words (it was
        made from an earlier table's words; numbers never change, so the buffer stays as it is)."""
        folded = len(vocabulary) - len(self._vocabulary)
        if folded > 0:
            self._vocabulary, self._new_words = vocabulary, self._new_words[folded:]
            self._new_number = {word: len(vocabulary) + i for i, word in enumerate(self._new_words)}

    def _take(self, table: TokenTable) -> None:
        """Hold exactly the table's tokens, with its words."""
        self._vocabulary, self._new_words = table.vocabulary, list(table.new_words)
        self._new_number = {word: len(self._vocabulary) + i for i, word in enumerate(self._new_words)}
        self._flat, self._used, self._garbage = table.ids.astype(np.int32), len(table.ids), 0
        size = int(table.keys[-1]) + 1 if len(table.keys) else 0
        self._start = np.full(size, -1, dtype=np.int64)
        self._length = np.zeros(size, dtype=np.int32)
        self._start[table.keys] = starts(table.lengths)
        self._length[table.keys] = table.lengths
        self._count = len(table.keys)

    @classmethod
    def from_lists(cls, tokens: dict[int, list[str]]) -> TokenLists:
        """Token lists given as a dict."""
        held = cls()
        for key, found in tokens.items():
            held.put(key, found)
        return held

    @classmethod
    def load(cls, folder: Path) -> TokenLists | None:
        """The token lists a table saved (or an older snapshot's lexical.json); None when there are none."""
        if not (folder / TOKENS).exists():
            old = folder / "lexical.json"
            if not old.exists():
                return None
            return cls.from_lists({int(k): v for k, v in json.loads(old.read_text()).items()})
        vocabulary = Vocabulary.load(folder / VOCABULARY)
        with np.load(folder / TOKENS) as stored:
            keys, lengths, ids = stored["keys"], stored["lengths"].astype(np.int64), stored["ids"]
        order = np.argsort(keys, kind="stable")  # saved in key order since, but older snapshots kept write order
        ids = gathered(ids, starts(lengths)[order], lengths[order])
        held = cls()
        held._take(TokenTable(keys[order].astype(np.int64), lengths[order], ids, vocabulary, []))
        return held
