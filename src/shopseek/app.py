"""The application object: wires the store, encoder, indexes, event log and engine of one index folder."""

from __future__ import annotations

import copy
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from readerwriterlock import rwlock

from shopseek.catalog.media import decode_image
from shopseek.catalog.readers import ReadItem, ReadProblem
from shopseek.catalog.schema import Product
from shopseek.catalog.store import ProductStore, StoredProduct
from shopseek.config import Settings
from shopseek.encoders.base import Encoder, get_encoder
from shopseek.encoders.heads import heads_from
from shopseek.feedback.events import Event, EventLog
from shopseek.feedback.experiments import Experiments
from shopseek.feedback.profiles import Profile, build_profile
from shopseek.index.lexical import LexicalIndex
from shopseek.index.vectors import VectorIndex
from shopseek.language import to_english, tokenize
from shopseek.pipeline import EncodedBatch, encode_batch, encode_media, encode_products
from shopseek.search.engine import Hit, Indexes, Query, SearchEngine, SearchResult
from shopseek.search.fuse import reciprocal_rank
from shopseek.search.rank import LearnedRanker

SHOP_HEADS = "heads/alignment.pt"  # heads adapted to this shop by `shopseek train alignment --index`
INGEST_BATCH = 64
CHECKPOINT_EVERY = 1000
VECTOR_FILES = {
    "text": "text.faiss",
    "image": "image.faiss",
    "joint_text": "joint-text.faiss",
    "joint_image": "joint-image.faiss",
    "visual_words": "visual-words.faiss",
}
Progress = Callable[[int], None]


@dataclass
class IngestReport:
    """What an ingest did: products written, images encoded and the problems met."""

    added: int = 0
    images: int = 0
    problems: list[ReadProblem] = field(default_factory=list)


def with_shop_heads(encoder: Encoder, folder: Path) -> Encoder:
    """The encoder, with the cross-modal heads adapted to this index folder's shop when it has some."""
    path = folder / SHOP_HEADS
    if not path.exists():
        return encoder
    adapted = copy.copy(encoder)  # shares the loaded models; only the heads differ
    adapted.cross_modal = heads_from(path)
    return adapted


class ShopSeek:
    """One index folder: catalogue store, vector and lexical indexes, events, and the search engine over them."""

    def __init__(
        self,
        folder: Path,
        encoder: Encoder | None = None,
        settings: Settings | None = None,
        indexes: Indexes | None = None,
        defer_recovery: bool = False,
    ) -> None:
        """Open (or create) an index folder; `indexes` given from outside (shards) are searched and written to,
        but never snapshotted or recovered here: their owner does that. With `defer_recovery`, replaying the
        journal (and re-encoding for a new encoder) waits for `finish_opening`, so a server can answer meanwhile."""
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.settings = settings or Settings.load(folder)
        self.encoder = with_shop_heads(
            encoder or get_encoder(self.settings.encoder, **self.settings.encoder_options), folder
        )
        self.settings.encoder = self.encoder.name
        self.store = ProductStore(folder / "catalog.sqlite")
        self.events = EventLog(folder / "events.sqlite")
        self.experiments = Experiments(folder / "experiments.json")
        snapshot, self._snapshot_sequence = self.current_snapshot()
        self._owns_indexes = indexes is None
        self.indexes = indexes or self._load_indexes(snapshot)
        self.ranker = LearnedRanker(folder / "ranker")
        self.engine = SearchEngine(self.store, self.indexes, self.encoder, self.settings, self.ranker, self.events)
        self._lock = rwlock.RWLockWrite()
        to_english("预热 warm up")  # loads jieba and CC-CEDICT now rather than in the first shopper's query
        self.recovered = 0
        self.ready = threading.Event()  # set once the indexes agree with the store
        if not defer_recovery:
            self.finish_opening()

    def finish_opening(self) -> None:
        """Replay journal entries newer than the snapshot and refresh derived vectors; then `ready` is set."""
        if self._owns_indexes:
            self.recovered = self._recover()
            self._refresh_images()
            self._refresh_joint_space()
        self.ready.set()

    def vector_dims(self) -> dict[str, int]:
        """The dimension of each vector space, as this index's encoder makes them."""
        joint_dim = self.encoder.cross_modal.joint_dim if self.encoder.cross_modal else 1
        return {
            "text": self.encoder.text_dim,
            "image": self.encoder.image_dim,
            "joint_text": joint_dim,
            "joint_image": joint_dim,
            "visual_words": self.encoder.text_dim,
        }

    def _load_indexes(self, snapshot: Path) -> Indexes:
        dims = self.vector_dims()
        spaces = {name: VectorIndex.load(snapshot / VECTOR_FILES[name], dims[name]) for name in dims}
        return Indexes(lexical=LexicalIndex.load(snapshot, tokenize), **spaces)

    def count(self) -> int:
        """Number of products in the catalogue."""
        return self.store.count()

    def search(self, query: Query) -> SearchResult:
        """Run a query (many may run at once; writes wait for them)."""
        with self._lock.gen_rlock():
            return self.engine.search(query)

    def similar(self, product_id: str, k: int = 10) -> list[Hit]:
        """Products most like a given one, by its image and its text; KeyError when unknown."""
        with self._lock.gen_rlock():
            stored = self.store.get(product_id)
            if stored is None:
                raise KeyError(product_id)
            lists = {}
            for name, index in (("image", self.indexes.image), ("dense", self.indexes.text)):
                vector = index.vector(stored.key)
                if vector is not None:
                    lists[name] = [h for h in index.search_one(vector, k + 1) if h[0] != stored.key]
            return self.engine.hits(reciprocal_rank(lists, self.settings.fusion_weights())[:k], lists)

    def profile(self, user_id: str, before: float | None = None) -> Profile:
        """A shopper's profile from their events, as of now (or as of an earlier time)."""

        def vector_of(product_id: str) -> np.ndarray | None:
            key = self.store.key_of(product_id)
            return None if key is None else self.engine.taste_vector(key)

        with self._lock.gen_rlock():
            return build_profile(user_id, self.events.for_user(user_id, before=before), vector_of, now=before)

    def recommend(self, user_id: str, k: int = 10) -> list[Hit]:
        """For-you products: nearest to the shopper's interest, minus what they already saw or disliked."""
        profile = self.profile(user_id)
        if profile.positive is None:
            return []
        with self._lock.gen_rlock():
            spaces = (
                [self.indexes.joint_image, self.indexes.joint_text] if self.encoder.cross_modal else [self.indexes.text]
            )
            depth = k + len(profile.interacted) + 10
            lists = {f"space{n}": index.search_one(profile.positive, depth) for n, index in enumerate(spaces)}
            fused = reciprocal_rank(lists, {})
            seen = {key for pid in profile.interacted if (key := self.store.key_of(pid)) is not None}
            keys = [key for key, _ in fused if key not in seen][:k]
            found = self.store.get_many(keys)
            scores = dict(fused)
            return [
                Hit(key, found[key].product, scores[key], {"personal": scores[key]}, found[key].image_count)
                for key in keys
                if key in found
            ]

    def record(self, event: Event) -> int:
        """Store a shopper event about a known product; KeyError when the product is unknown."""
        if self.store.key_of(event.product_id) is None:
            raise KeyError(event.product_id)
        return self.events.append(event)

    def ingest(self, items: Iterable[ReadItem | ReadProblem], progress: Progress | None = None) -> IngestReport:
        """Load media, encode and index every readable product; problems are collected, not raised."""
        report = IngestReport()
        batch: list[ReadItem] = []
        for item in items:
            if isinstance(item, ReadProblem):
                report.problems.append(item)
                if progress:
                    progress(1)
                continue
            batch.append(item)
            if len(batch) >= INGEST_BATCH:
                self._ingest_batch(batch, report, progress)
                batch = []
        if batch:
            self._ingest_batch(batch, report, progress)
        self.save()
        return report

    def add_products(self, products: Sequence[Product]) -> IngestReport:
        """Add or update products given as objects (media paths must be absolute or URLs).

        Durable when this returns (store + journal); searchable at once; index files are checkpointed later.
        """
        report = IngestReport()
        self._ingest_batch([ReadItem(n, p) for n, p in enumerate(products, start=1)], report, None)
        self._checkpoint_if_due()
        return report

    def delete(self, product_id: str) -> bool:
        """Remove a product from the store and every index; False when unknown."""
        with self._lock.gen_wlock():
            key = self.store.delete(product_id)
            if key is None:
                return False
            for index in self.indexes.all():
                index.delete([key])
        self._checkpoint_if_due()
        return True

    def _ingest_batch(self, batch: list[ReadItem], report: IngestReport, progress: Progress | None) -> None:
        """Encode and write a batch; an id given twice is written once, as its last version."""
        last = {item.product.id: item for item in batch}
        encoded = encode_batch(self.encoder, list(last.values()))
        encoded.read = len(batch)
        self.write_encoded(encoded, report, progress)

    def write_encoded(self, encoded: EncodedBatch, report: IngestReport, progress: Progress | None = None) -> None:
        """Store encoded products durably and add them to every index (the writing half of ingest)."""
        with self._lock.gen_wlock():
            keys = self.store.upsert_many(list(zip(encoded.products, encoded.copies, strict=True)))
            self._index_encoded(keys, encoded)
        report.added += len(encoded.products)
        report.images += encoded.images
        report.problems += encoded.problems
        if progress:
            progress(encoded.read)

    def _index_encoded(self, keys: list[int], encoded: EncodedBatch) -> None:
        """Replace these keys' entries in every index with the encoded vectors."""
        for index in self.indexes.all():
            index.delete(keys)
        text_keys = np.array([k for k, keep in zip(keys, encoded.has_text, strict=True) if keep], dtype=np.int64)
        image_keys = np.array([k for k, keep in zip(keys, encoded.has_image, strict=True) if keep], dtype=np.int64)
        texts = [p.searchable_text() for p, keep in zip(encoded.products, encoded.has_text, strict=True) if keep]
        self.indexes.lexical.add(text_keys.tolist(), texts)
        if len(text_keys):
            self.indexes.text.add(text_keys, encoded.text_vectors)
        if len(image_keys):
            self.indexes.image.add(image_keys, encoded.image_vectors)
        cross_modal = self.encoder.cross_modal
        if cross_modal and len(text_keys):
            self.indexes.joint_text.add(text_keys, cross_modal.text(encoded.text_vectors))
        if cross_modal and len(image_keys):
            self.indexes.joint_image.add(image_keys, cross_modal.image(encoded.image_vectors))
        if encoded.visual_words is not None and len(image_keys):
            self.indexes.visual_words.add(image_keys, encoded.visual_words)

    def save(self) -> None:
        """Persist the indexes and settings next to the store (sharded indexes are their owner's business)."""
        if not self._owns_indexes:
            return
        with self._lock.gen_wlock():
            self._save()

    def _save(self) -> None:
        """Write a complete snapshot folder, then point CURRENT at it (atomic), then drop older snapshots."""
        sequence = self.store.journal_head()
        snapshot = self.folder / "snapshots" / f"{sequence:012d}-{time.time_ns()}"
        snapshot.mkdir(parents=True)
        for name, filename in VECTOR_FILES.items():
            rebuilt = getattr(self.indexes, name).rebuilt_for_size(self.settings.vector_compression)
            setattr(self.indexes, name, rebuilt)
            rebuilt.save(snapshot / filename)
        self.indexes.lexical.commit()
        self.indexes.lexical.save(snapshot)
        self.settings.save(self.folder)
        pointer = self.folder / "CURRENT.tmp"
        with pointer.open("w") as handle:
            handle.write(json.dumps({"snapshot": snapshot.name, "journal": sequence}))
            handle.flush()
            os.fsync(handle.fileno())
        pointer.replace(self.folder / "CURRENT")
        self._snapshot_sequence = sequence
        for old in (self.folder / "snapshots").iterdir():
            if old != snapshot:
                shutil.rmtree(old, ignore_errors=True)

    def current_snapshot(self) -> tuple[Path, int]:
        """The snapshot folder CURRENT points at and the journal position it includes."""
        pointer = self.folder / "CURRENT"
        if not pointer.exists():
            return self.folder / "snapshots" / "empty", 0
        state = json.loads(pointer.read_text())
        return self.folder / "snapshots" / state["snapshot"], int(state["journal"])

    def _refresh_joint_space(self) -> None:
        """Recompute joint vectors from the stored base vectors when the cross-modal heads changed (no re-encoding)."""
        cross_modal = self.encoder.cross_modal
        version = cross_modal.version if cross_modal else ""
        if version == self.settings.joint_version:
            return
        with self._lock.gen_wlock():
            dims = self.vector_dims()
            self.indexes.joint_text = VectorIndex(dims["joint_text"])
            self.indexes.joint_image = VectorIndex(dims["joint_image"])
            if cross_modal:
                for base, joint, project in (
                    (self.indexes.text, self.indexes.joint_text, cross_modal.text),
                    (self.indexes.image, self.indexes.joint_image, cross_modal.image),
                ):
                    keys, vectors = base.export()
                    for start in range(0, len(keys), 4096):
                        joint.add(keys[start : start + 4096], project(vectors[start : start + 4096]))
            self.settings.joint_version = version
            self._save()

    def _stored_media(self, stored: Sequence[StoredProduct]) -> list[list[Image.Image]]:
        """The decoded stored photo copies of each product."""
        return [[decode_image(data) for data in self.store.image_bytes(p.key, p.image_count)] for p in stored]

    def _refresh_images(self) -> None:
        """Re-encode the stored product photos when the encoder's image vectors or visual words changed
        (an index never needs re-ingesting for a better image encoder)."""
        version = self.encoder.image_version
        if version == self.settings.image_version:
            return
        with self._lock.gen_wlock():
            keys, _ = self.indexes.image.export()
            stored = list(self.store.get_many(keys.tolist()).values())
            self.indexes.visual_words = VectorIndex(self.encoder.text_dim)
            for start in range(0, len(stored), INGEST_BATCH):
                chunk = [p for p in stored[start : start + INGEST_BATCH] if p.image_count]
                chunk_keys = np.array([p.key for p in chunk], dtype=np.int64)
                vectors, visual_words = encode_media(self.encoder, self._stored_media(chunk))
                self.indexes.image.add(chunk_keys, vectors)
                if self.encoder.cross_modal:
                    self.indexes.joint_image.add(chunk_keys, self.encoder.cross_modal.image(vectors))
                if visual_words is not None:
                    self.indexes.visual_words.add(chunk_keys, visual_words)
            self.settings.image_version = version
            self._save()

    def _checkpoint_if_due(self) -> None:
        """Snapshot the indexes once enough writes have piled up in the journal since the last one."""
        if not self._owns_indexes:
            return
        sequence = self.store.journal_head()
        if sequence - self._snapshot_sequence >= CHECKPOINT_EVERY:
            self.save()

    def _recover(self) -> int:
        """Replay journal entries newer than the snapshot: re-index from the store and stored media."""
        operations = self.store.journal_since(self._snapshot_sequence)
        if not operations:
            return 0
        with self._lock.gen_wlock():
            for index in self.indexes.all():
                index.delete(list(operations))
            products = list(self.store.get_many([k for k, op in operations.items() if op == "upsert"]).values())
            for start in range(0, len(products), INGEST_BATCH):
                chunk = products[start : start + INGEST_BATCH]
                media = self._stored_media(chunk)
                encoded = encode_products(self.encoder, [p.product for p in chunk], media)
                self._index_encoded([p.key for p in chunk], encoded)
            self._save()
        return len(operations)

    def close(self) -> None:
        """Release the store and the event log."""
        self.store.close()
        self.events.close()
