"""A shop's own synonyms: groups of words that mean the same in its catalogue ("sofa", "couch", "沙发").

Stored as `synonyms.json` in the index folder, replaced whole (written aside, then renamed), and applied to the
lexical side of every query: a query word found in a group also searches the group's other words.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

FILE = "synonyms.json"
MAX_GROUPS = 10_000
MAX_GROUP_WORDS = 20
MAX_WORD_CHARS = 100


class SynonymGroups(BaseModel):
    """Groups of interchangeable words or phrases."""

    groups: list[list[str]] = Field(
        default_factory=list,
        max_length=MAX_GROUPS,
        description=f"Each group: 2 to {MAX_GROUP_WORDS} words or phrases of at most {MAX_WORD_CHARS} characters",
    )

    @field_validator("groups")
    @classmethod
    def _sized(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if not 2 <= len(group) <= MAX_GROUP_WORDS or not all(0 < len(w.strip()) <= MAX_WORD_CHARS for w in group):
                raise ValueError(f"a group needs 2 to {MAX_GROUP_WORDS} non-empty words of at most {MAX_WORD_CHARS}")
        return groups


class Synonyms:
    """The synonym groups of one index folder, as token sets a query's tokens are expanded with."""

    def __init__(self, folder: Path, tokenizer: Callable[[str], list[str]]) -> None:
        self._path = folder / FILE
        self._tokenize = tokenizer
        self.groups = SynonymGroups()
        self._expansions: dict[str, tuple[str, ...]] = {}
        if self._path.exists():
            self._use(SynonymGroups.model_validate_json(self._path.read_text(encoding="utf-8")))

    def replace(self, groups: SynonymGroups) -> None:
        """Store new groups durably, then use them (searches running meanwhile keep the old ones)."""
        temporary = self._path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(groups.model_dump_json())
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._path)
        self._use(groups)

    def _use(self, groups: SynonymGroups) -> None:
        expansions: dict[str, set[str]] = {}
        for group in groups.groups:
            tokens = {token for word in group for token in self._tokenize(word)}
            for token in tokens:
                expansions.setdefault(token, set()).update(tokens)
        self.groups, self._expansions = groups, {k: tuple(sorted(v)) for k, v in expansions.items()}

    def expand(self, tokens: list[str]) -> list[str]:
        """The tokens followed by the other tokens of every group they belong to."""
        expansions = self._expansions
        extra = [other for token in tokens for other in expansions.get(token, ())]
        return list(dict.fromkeys([*tokens, *extra]))
