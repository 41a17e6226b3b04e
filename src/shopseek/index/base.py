"""The contract every index backend implements."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

Hits = list[tuple[int, float]]


class Index(Protocol):
    """Add, delete, search and persist items keyed by integer product keys."""

    def delete(self, keys: list[int]) -> None:
        """Remove items; unknown keys are ignored."""

    def count(self) -> int:
        """Number of items held."""

    def save(self, folder: Path) -> None:
        """Write the index to a folder."""

    def search_one(self, query: object, k: int, allowed: np.ndarray | None = None) -> Hits:
        """The best `k` (key, score) pairs for one query, optionally only among `allowed` keys."""
