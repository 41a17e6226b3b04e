"""An index folder's snapshots: complete copies of every index, and the CURRENT pointer naming the newest one.

A snapshot is written whole into a new folder, then CURRENT is replaced atomically, then older folders go. CURRENT
also records the journal position the snapshot includes: recovery replays the store's journal after it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from shopseek.index.base import Indexes
from shopseek.index.lexical import LexicalIndex, Tokenizer
from shopseek.index.vectors import Compression, VectorIndex

LocalIndexes = Indexes[VectorIndex, LexicalIndex]
VECTOR_FILES = {
    "text": "text.faiss",
    "image": "image.faiss",
    "joint_text": "joint-text.faiss",
    "joint_image": "joint-image.faiss",
    "visual_words": "visual-words.faiss",
}
# With sq8-pca, the principal directions each space keeps (None: all). Recall@10 of the kept directions against the
# full vectors on the fashion test split (benchmarks.compression): image 512 of 1,357: 0.96; visual words 192 of
# 384: 0.97; joint spaces 128 of 256: 0.96 (words) and 0.94 (photos). The text space keeps all 384 (256: 0.91).
PRINCIPAL_DIRECTIONS: dict[str, int | None] = {
    "text": None,
    "image": 512,
    "joint_text": 128,
    "joint_image": 128,
    "visual_words": 192,
}


CARD = "index-card.json"


class Snapshots:
    """Reads and writes the snapshots of one index folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def current(self) -> tuple[Path, int]:
        """The snapshot folder CURRENT points at and the journal position it includes."""
        pointer = self.folder / "CURRENT"
        if not pointer.exists():
            return self.folder / "snapshots" / "empty", 0
        state = json.loads(pointer.read_text())
        return self.folder / "snapshots" / state["snapshot"], int(state["journal"])

    @staticmethod
    def card(snapshot: Path) -> dict[str, dict[str, Any]]:
        """Each vector space's layout as the snapshot recorded it (empty for older snapshots)."""
        path = snapshot / CARD
        return json.loads(path.read_text()) if path.exists() else {}

    def load(self, dims: dict[str, int], tokenizer: Tokenizer) -> LocalIndexes:
        """Every index of the current snapshot (empty ones when there is none yet)."""
        snapshot, _ = self.current()
        card = self.card(snapshot)
        spaces = {
            name: VectorIndex.load(snapshot / filename, dims[name], card.get(name, {}).get("recall_at_10"))
            for name, filename in VECTOR_FILES.items()
        }
        return Indexes(lexical=LexicalIndex.load(snapshot, tokenizer), **spaces)

    def write(
        self, indexes: LocalIndexes, journal: int, compression: Compression, beside: Callable[[Path], None]
    ) -> LocalIndexes:
        """Snapshot the indexes (vectors re-laid out for their size) with what `beside` writes into the snapshot's
        folder before it becomes current; return the indexes with their vector spaces read back from the snapshot
        (storage grown by writes since the last one is given back)."""
        snapshot = self.folder / "snapshots" / f"{journal:012d}-{time.time_ns()}"
        snapshot.mkdir(parents=True)
        rebuilt = {
            name: getattr(indexes, name).rebuilt_for_size(compression, PRINCIPAL_DIRECTIONS[name])
            for name in VECTOR_FILES
        }
        for name, filename in VECTOR_FILES.items():
            rebuilt[name].save(snapshot / filename)
        card = {name: space.card() for name, space in rebuilt.items()}
        (snapshot / CARD).write_text(json.dumps(card, indent=2) + "\n")
        indexes.lexical.save(snapshot, previous=self.current()[0])
        beside(snapshot)
        pointer = self.folder / "CURRENT.tmp"
        with pointer.open("w") as handle:
            handle.write(json.dumps({"snapshot": snapshot.name, "journal": journal}))
            handle.flush()
            os.fsync(handle.fileno())
        pointer.replace(self.folder / "CURRENT")
        for old in (self.folder / "snapshots").iterdir():
            if old != snapshot:
                shutil.rmtree(old, ignore_errors=True)
        return replace(indexes, **{name: rebuilt[name].read_back(snapshot / VECTOR_FILES[name]) for name in rebuilt})
