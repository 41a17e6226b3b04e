"""A catalogue's own words: typo correction of query words the catalogue lacks, the catalogue's words for them, and
autocomplete phrases.

All are built from product titles, brands and categories as products are written (never from queries alone),
so a shop's vocabulary ("iphone", "红米") is what queries are corrected towards and completed with.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from symspellpy import SymSpell, Verbosity

from shopseek.index.json_file import write_json
from shopseek.language import is_english, normalize_text, stem
from shopseek.search.word_counts import WordCounts
from shopseek.thesaurus import synonyms

WORD = re.compile(r"[a-z][a-z0-9]*|[0-9]+[a-z]*|[\u3400-\u9fff]+")
LATIN = re.compile(r"[a-z]+")
MAX_EDITS = 2
MIN_CORRECTED_LENGTH = 5  # shorter words are too easily "corrected" into other words
PHRASE_WORDS = 3
PHRASE_STARTS = 4  # phrases start at the first few words of a title only (bounded memory per product)
JOINED_PART = 3  # letters each word needs to be read as half of a longer one ("back pack"; not the "s" of "men's")


def words_of(text: str) -> list[str]:
    """Lower-case words of a text (Latin words with their digits, runs of Chinese characters)."""
    return WORD.findall(normalize_text(text))


class CatalogueTerms:
    """Words and short phrases of the catalogue's product texts, with counts; safe to use from many threads."""

    def __init__(self) -> None:
        self._speller = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        self._words = WordCounts()
        self._stems: set[str] = set()
        self._phrases: Counter[str] = Counter()
        self._sorted: list[str] = []
        self._lock = threading.Lock()

    def add(self, texts: Iterable[str]) -> None:
        """Learn the words and phrases of product texts (titles, brands, categories)."""
        with self._lock:
            for text in texts:
                words = words_of(text)
                for word in words:
                    if word not in self._words:
                        self._spell(word)
                    self._words.add(word)
                for start in range(min(PHRASE_STARTS, len(words))):
                    for end in range(start + 1, min(start + PHRASE_WORDS, len(words)) + 1):
                        self._phrases[" ".join(words[start:end])] += 1
            self._sorted = []

    def _spell(self, word: str) -> None:
        """Make a new Latin word a correction target."""
        if LATIN.fullmatch(word):
            self._speller.create_dictionary_entry(word, 1)
            self._stems.add(stem(word))

    def save(self, path: Path) -> None:
        """Write the learned word and phrase counts (what `restore` reads)."""
        with self._lock:
            counts = {"words": self._words.as_dict(), "phrases": dict(self._phrases)}
        write_json(path, counts)

    def restore(self, path: Path) -> bool:
        """Learn the counts `save` wrote (instead of reading every product again); False when there are none."""
        if not path.exists():
            return False
        counts = json.loads(path.read_text())
        with self._lock:
            for word in counts["words"]:
                if word not in self._words:
                    self._spell(word)
            words = Counter(self._words.as_dict())
            words.update(counts["words"])
            self._words = WordCounts(words)
            self._phrases.update(counts["phrases"])
            self._sorted = []
        return True

    def corrected(self, query: str) -> str | None:
        """The query with each Latin word the catalogue lacks (and English does not know) replaced by the closest
        catalogue word; None when nothing needed correcting or some word has no close catalogue word."""
        pieces = re.split(r"(\W+)", normalize_text(query))
        with self._lock:
            fixed = [self._correct_word(piece) for piece in pieces]
            unknown = [word for word in fixed if LATIN.fullmatch(word) and not self._known(word)]
        if fixed == pieces or unknown:  # half-corrected nonsense ("glorp scarf") is not a correction
            return None
        return "".join(fixed)

    def _known(self, word: str) -> bool:
        return self._in_catalogue(word) or is_english(word)

    def _in_catalogue(self, word: str) -> bool:
        """The word, or another with its stem, is one of the catalogue's (the caller holds the lock)."""
        return word in self._words or stem(word) in self._stems

    def _correct_word(self, word: str) -> str:
        if not LATIN.fullmatch(word) or len(word) < MIN_CORRECTED_LENGTH or self._known(word):
            return word
        edits = 1 if len(word) < 8 else MAX_EDITS
        found = self._speller.lookup(word, Verbosity.CLOSEST, max_edit_distance=edits)
        return max(found, key=lambda s: self._words[s.term]).term if found else word

    def joined(self, text: str) -> list[str]:
        """Catalogue words the text writes as two ("cuff links" where titles say "cufflinks"), joined."""
        words = words_of(text)
        with self._lock:
            return [
                a + b
                for a, b in itertools.pairwise(words)
                if min(len(a), len(b)) >= JOINED_PART and LATIN.fullmatch(a + b) and self._in_catalogue(a + b)
            ]

    def synonyms_used(self, text: str) -> list[str]:
        """WordNet synonyms the catalogue uses of the text's English words it does not ("shades" where titles say
        "sunglasses", "jewelry" where they say "jewellery")."""
        lacking = [word for word in words_of(text) if LATIN.fullmatch(word)]
        with self._lock:
            lacking = [word for word in lacking if not self._in_catalogue(word)]
            return [other for word in lacking for other in synonyms(word) if self._in_catalogue(other)]

    def frequent(self, k: int) -> list[str]:
        """The catalogue's k most frequent Latin words of three letters or more (to bias speech recognition)."""
        with self._lock:
            ranked = self._words.most_common()
            return list(itertools.islice((word for word, _ in ranked if len(word) > 2 and LATIN.fullmatch(word)), k))

    def frequent_phrases(self, k: int) -> list[str]:
        """The catalogue's k most frequent two-word phrases (to bias speech recognition towards how it names things)."""
        with self._lock:
            ranked = self._phrases.most_common()
        return [phrase for phrase, _ in ranked if phrase.count(" ") == 1 and LATIN.fullmatch(phrase.replace(" ", ""))][
            :k
        ]

    def known_words(self, text: str) -> int:
        """How many of a text's words the catalogue uses."""
        with self._lock:
            return sum(word in self._words for word in words_of(text))

    def suggest(self, prefix: str, k: int) -> list[str]:
        """Up to k catalogue phrases that start with the prefix, most frequent first."""
        prefix = " ".join(words_of(prefix)) if prefix.strip() else ""
        if not prefix:
            return []
        with self._lock:
            if not self._sorted:
                self._sorted = sorted(self._phrases)
            start = bisect.bisect_left(self._sorted, prefix)
            end = bisect.bisect_left(self._sorted, prefix + "\uffff")
            matches = self._sorted[start:end]
            counts = self._phrases
        ranked = sorted(matches, key=lambda phrase: (-counts[phrase], len(phrase), phrase))
        return ranked[:k]
