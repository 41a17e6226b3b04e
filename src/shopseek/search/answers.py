"""Answers from a product's own text: the sentences of its description, attributes and reviews that answer a
shopper's question, best first, each with where it came from. Extractive only: nothing is generated.

Sentences are embedded with the text encoder (multilingual: a Chinese question finds English sentences) and ranked
by cosine to the question, with a small bonus for sharing its words (BM25-style evidence). Sentence vectors are
cached in `answers.sqlite` in the index folder under a hash of the product, so an updated product is re-read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopseek.catalog.schema import Product
from shopseek.encoders.base import Encoder, normalize
from shopseek.language import to_english, tokenize

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*|\n+")
MIN_SENTENCE_CHARS = 3
MAX_SENTENCES = 300
WORD_BONUS = 0.1  # cosine bonus for a sentence holding every word of the question


@dataclass(frozen=True)
class Answer:
    """One sentence of a product's text that answers a question."""

    text: str
    source: str  # "description", "attribute <name>" or "review <n>"
    score: float


def sentences_of(product: Product) -> list[tuple[str, str]]:
    """(sentence, source) pairs of a product's description, attributes and reviews (the title names the product;
    it answers nothing)."""
    found = [(s, "description") for s in split(product.description)]
    for name, value in product.attributes.items():
        if isinstance(value, str | int | float) and str(value).strip():
            found.append((f"{readable(name)}: {value}", f"attribute {name}"))
    for number, review in enumerate(product.reviews, start=1):
        found += [(s, f"review {number}") for s in split(review.text)]
    return found[:MAX_SENTENCES]


def split(text: str) -> list[str]:
    """The sentences of a text."""
    return [s.strip() for s in SENTENCE_END.split(text or "") if len(s.strip()) >= MIN_SENTENCE_CHARS]


def readable(name: str) -> str:
    """An attribute name as words: `warrantyInformation` → `warranty information`."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", name).lower()


class AnswerFinder:
    """Ranks a product's sentences against questions; sentence vectors cached per product version."""

    def __init__(self, path: Path, encoder: Encoder) -> None:
        self.encoder = encoder
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sentences (key INTEGER PRIMARY KEY, version TEXT, texts TEXT, vectors BLOB)"
        )

    def answers(self, key: int, product: Product, question: str, k: int) -> list[Answer]:
        """The k sentences of the product that best answer the question."""
        found, vectors = self._sentences(key, product)
        if not found:
            return []
        renditions = list(dict.fromkeys([question, to_english(question)]))
        asked = normalize(self.encoder.encode_texts(renditions, "query").mean(axis=0))
        words = set(tokenize(" ".join(renditions)))
        scores = vectors @ asked
        if words:
            scores += WORD_BONUS * np.array([len(words & set(tokenize(s))) / len(words) for s, _ in found])
        order = np.argsort(-scores, kind="stable")[:k]
        return [Answer(found[i][0], found[i][1], round(float(scores[i]), 4)) for i in order]

    def _sentences(self, key: int, product: Product) -> tuple[list[tuple[str, str]], np.ndarray]:
        version = hashlib.sha1(product.model_dump_json().encode()).hexdigest()
        with self._lock:
            row = self._db.execute("SELECT version, texts, vectors FROM sentences WHERE key = ?", (key,)).fetchone()
        if row and row[0] == version:
            return [(text, source) for text, source in json.loads(row[1])], np.load(io.BytesIO(row[2]))
        found = sentences_of(product)
        vectors = (
            self.encoder.encode_texts([s for s, _ in found], "passage")
            if found
            else np.zeros((0, self.encoder.text_dim), dtype=np.float32)
        )
        buffer = io.BytesIO()
        np.save(buffer, vectors.astype(np.float32))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sentences (key, version, texts, vectors) VALUES (?, ?, ?, ?)",
                (key, version, json.dumps(found, ensure_ascii=False), buffer.getvalue()),
            )
        return found, vectors

    def close(self) -> None:
        """Close the cache."""
        self._db.close()
