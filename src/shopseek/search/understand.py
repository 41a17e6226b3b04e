"""Query understanding: language, lexical tokens, an English rendition of Chinese words and the colours asked for."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from shopseek.encoders.colour import colours_named
from shopseek.language import chinese_expansions, language_of, normalize_text, to_english, tokenize

MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class Understood:
    """What the engine knows about a text query before recall."""

    text: str
    language: str
    english: str
    tokens: list[str]
    colours: tuple[str, ...]

    @property
    def renditions(self) -> list[str]:
        """The texts to embed: the query itself and, when different, its English rendition."""
        return [self.text] if self.english == normalize_text(self.text) else [self.text, self.english]


def clipped(text: str) -> str:
    """Text with its whitespace collapsed, cut at MAX_QUERY_CHARS: what is understood of it."""
    return " ".join(text.split())[:MAX_QUERY_CHARS]


@functools.lru_cache(maxsize=4096)
def understand(text: str) -> Understood:
    """Tokenise a query and expand it across Chinese and English with the bilingual vocabulary (cached: pure)."""
    text = clipped(text)
    english = to_english(text)
    english_tokens = tokenize(english)
    chinese = chinese_expansions(english_tokens)
    synonyms = tokenize(to_english(" ".join(chinese)))
    tokens = tokenize(text) + english_tokens + chinese + synonyms
    unique = list(dict.fromkeys(tokens))
    return Understood(text, language_of(text), english, unique, tuple(colours_named(english_tokens)))


@functools.lru_cache(maxsize=65536)
def colours_in(text: str) -> tuple[str, ...]:
    """The colours a product's own words name, in English or Chinese (cached apart from queries: titles repeat)."""
    return tuple(colours_named(tokenize(to_english(clipped(text)))))
