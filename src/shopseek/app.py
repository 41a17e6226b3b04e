"""The application object: wires the store, encoder, indexes, event log and engine of one index folder."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from readerwriterlock import rwlock

from shopseek.catalog.media import MediaError, decode_image, load_image, sample_video_frames, thumbnail_jpeg
from shopseek.catalog.readers import ReadItem, ReadProblem
from shopseek.catalog.schema import Product
from shopseek.catalog.store import ProductStore
from shopseek.config import Settings
from shopseek.encoders.base import Encoder, get_encoder, normalize
from shopseek.feedback.events import Event, EventLog
from shopseek.feedback.experiments import Experiments
from shopseek.feedback.profiles import Profile, build_profile
from shopseek.index.lexical import LexicalIndex
from shopseek.index.vectors import VectorIndex
from shopseek.language import tokenize
from shopseek.search.engine import Hit, Indexes, Query, SearchEngine, SearchResult
from shopseek.search.fuse import reciprocal_rank
from shopseek.search.rank import LearnedRanker

INGEST_BATCH = 64
CHECKPOINT_EVERY = 1000
VIDEO_FRAMES = 4
VECTOR_FILES = {
    "text": "text.faiss",
    "image": "image.faiss",
    "joint_text": "joint-text.faiss",
    "joint_image": "joint-image.faiss",
}
Progress = Callable[[int], None]


@dataclass
class IngestReport:
    """What an ingest did: products written, images encoded and the problems met."""

    added: int = 0
    images: int = 0
    problems: list[ReadProblem] = field(default_factory=list)


@dataclass
class LoadedProduct:
    """A product with its decoded media, ready to encode."""

    line: int
    product: Product
    images: list[Image.Image]


class ShopSeek:
    """One index folder: catalogue store, vector and lexical indexes, events, and the search engine over them."""

    def __init__(self, folder: Path, encoder: Encoder | None = None, settings: Settings | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.settings = settings or Settings.load(folder)
        self.encoder = encoder or get_encoder(self.settings.encoder, **self.settings.encoder_options)
        self.settings.encoder = self.encoder.name
        self.store = ProductStore(folder / "catalog.sqlite")
        self.events = EventLog(folder / "events.sqlite")
        self.experiments = Experiments(folder / "experiments.json")
        snapshot, self._snapshot_sequence = self._current_snapshot()
        joint_dim = self.encoder.cross_modal.joint_dim if self.encoder.cross_modal else 1
        self.indexes = Indexes(
            text=VectorIndex.load(snapshot / VECTOR_FILES["text"], self.encoder.text_dim),
            image=VectorIndex.load(snapshot / VECTOR_FILES["image"], self.encoder.image_dim),
            lexical=LexicalIndex.load(snapshot, tokenize),
            joint_text=VectorIndex.load(snapshot / VECTOR_FILES["joint_text"], joint_dim),
            joint_image=VectorIndex.load(snapshot / VECTOR_FILES["joint_image"], joint_dim),
        )
        self.ranker = LearnedRanker(folder / "ranker")
        self.engine = SearchEngine(
            self.store, self.indexes, self.encoder, self.settings, self.ranker, self.events.popularity
        )
        self._lock = rwlock.RWLockWrite()
        tokenize("预热 warm up")  # loads jieba's dictionary now rather than in the first shopper's query
        self.recovered = self._recover()
        self._refresh_joint_space()

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
            fused = reciprocal_rank(lists, self.settings.weights)[:k]
            found = self.store.get_many([key for key, _ in fused])
            per_signal = {name: dict(hits) for name, hits in lists.items()}
            return [
                Hit(
                    key,
                    found[key].product,
                    score,
                    {n: round(s[key], 4) for n, s in per_signal.items() if key in s},
                    found[key].image_count,
                )
                for key, score in fused
                if key in found
            ]

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
        with ThreadPoolExecutor(max_workers=8) as pool:
            loaded = list(pool.map(lambda item: _load_media(item, report), batch))
        ready = [item for item in loaded if item is not None]
        text_items = [item for item in ready if item.product.has_text]
        text_vectors = self.encoder.encode_texts([i.product.passage_text() for i in text_items], "passage")
        flat_images = [image for item in ready for image in item.images]
        image_vectors = self.encoder.encode_images(flat_images)
        copies = [_stored_copies(item.images) for item in ready]
        with self._lock.gen_wlock():
            stored = self.store.upsert_many([(item.product, c) for item, c in zip(ready, copies, strict=True)])
            keys = {id(item): key for item, key in zip(ready, stored, strict=True)}
            self._index_texts(text_items, keys, text_vectors)
            self._index_images(ready, keys, image_vectors)
        report.added += len(ready)
        report.images += len(flat_images)
        if progress:
            progress(len(batch))

    def _index_texts(self, items: list[LoadedProduct], keys: dict[int, int], vectors: np.ndarray) -> None:
        all_keys = list(keys.values())
        for index in (self.indexes.text, self.indexes.lexical, self.indexes.joint_text):
            index.delete(all_keys)
        text_keys = np.array([keys[id(item)] for item in items], dtype=np.int64)
        self.indexes.text.add(text_keys, vectors)
        self.indexes.lexical.add(text_keys.tolist(), [item.product.searchable_text() for item in items])
        if self.encoder.cross_modal and len(text_keys):
            self.indexes.joint_text.add(text_keys, self.encoder.cross_modal.text(vectors))

    def _index_images(self, items: list[LoadedProduct], keys: dict[int, int], vectors: np.ndarray) -> None:
        self.indexes.image.delete(list(keys.values()))
        self.indexes.joint_image.delete(list(keys.values()))
        image_keys, pooled, start = [], [], 0
        for item in items:
            if item.images:
                image_keys.append(keys[id(item)])
                pooled.append(normalize(vectors[start : start + len(item.images)].mean(axis=0)))
                start += len(item.images)
        if pooled:
            key_array = np.array(image_keys, dtype=np.int64)
            self.indexes.image.add(key_array, np.stack(pooled))
            if self.encoder.cross_modal:
                self.indexes.joint_image.add(key_array, self.encoder.cross_modal.image(np.stack(pooled)))

    def save(self) -> None:
        """Persist the indexes and settings next to the store."""
        with self._lock.gen_wlock():
            self._save()

    def _save(self) -> None:
        """Write a complete snapshot folder, then point CURRENT at it (atomic), then drop older snapshots."""
        sequence, _ = self.store.journal_since(2**62)
        snapshot = self.folder / "snapshots" / f"{sequence:012d}-{time.time_ns()}"
        snapshot.mkdir(parents=True)
        for name, filename in VECTOR_FILES.items():
            rebuilt = getattr(self.indexes, name).rebuilt_for_size()
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

    def _current_snapshot(self) -> tuple[Path, int]:
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
            self.indexes.joint_text = VectorIndex(cross_modal.joint_dim if cross_modal else 1)
            self.indexes.joint_image = VectorIndex(cross_modal.joint_dim if cross_modal else 1)
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

    def _checkpoint_if_due(self) -> None:
        """Snapshot the indexes once enough writes have piled up in the journal since the last one."""
        sequence, _ = self.store.journal_since(2**62)
        if sequence - self._snapshot_sequence >= CHECKPOINT_EVERY:
            self.save()

    def _recover(self) -> int:
        """Replay journal entries newer than the snapshot: re-index from the store and stored media."""
        _, operations = self.store.journal_since(self._snapshot_sequence)
        if not operations:
            return 0
        with self._lock.gen_wlock():
            for index in self.indexes.all():
                index.delete(list(operations))
            products = self.store.get_many([key for key, op in operations.items() if op == "upsert"])
            for start in range(0, len(products), INGEST_BATCH):
                chunk = list(products.values())[start : start + INGEST_BATCH]
                items = [
                    LoadedProduct(0, p.product, [decode_image(b) for b in self.store.image_bytes(p.key, p.image_count)])
                    for p in chunk
                ]
                keys = {id(item): stored.key for item, stored in zip(items, chunk, strict=True)}
                text_items = [item for item in items if item.product.has_text]
                texts = self.encoder.encode_texts([i.product.passage_text() for i in text_items], "passage")
                self._index_texts(text_items, keys, texts)
                self._index_images(items, keys, self.encoder.encode_images([im for i in items for im in i.images]))
            self._save()
        return len(operations)

    def close(self) -> None:
        """Release the store and the event log."""
        self.store.close()
        self.events.close()


def _load_media(item: ReadItem, report: IngestReport) -> LoadedProduct | None:
    """Decode a product's images and video frames; unreadable media are reported, the product kept."""
    images: list[Image.Image] = []
    for source in item.product.images:
        try:
            images.append(load_image(source))
        except MediaError as exc:
            report.problems.append(ReadProblem(item.line, f"unreadable image {exc}", item.product.id))
    if item.product.video:
        try:
            images += sample_video_frames(item.product.video, VIDEO_FRAMES)
        except MediaError as exc:
            report.problems.append(ReadProblem(item.line, str(exc), item.product.id))
    if not images and not item.product.has_text:
        report.problems.append(ReadProblem(item.line, "no text and no readable image: skipped", item.product.id))
        return None
    return LoadedProduct(item.line, item.product, images)


def _stored_copies(images: list[Image.Image]) -> list[bytes]:
    return [thumbnail_jpeg(image) for image in images]
