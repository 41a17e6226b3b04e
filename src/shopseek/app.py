"""The application object: one index folder's store, encoder, indexes, event log and engine, behind one boundary.

The HTTP routes, the CLI and the Ray replicas all go through `ShopSeek`: none reaches into the store, the event log
or the experiments directly.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from readerwriterlock import rwlock

from shopseek.catalog.media import decode_image
from shopseek.catalog.readers import ReadItem, ReadProblem
from shopseek.catalog.schema import SEARCHABLE_TEXT_VERSION, Product
from shopseek.catalog.store import Filters, ProductStore, StoredProduct
from shopseek.config import Settings
from shopseek.encoders.base import Encoder, get_encoder
from shopseek.encoders.heads import heads_from
from shopseek.encoders.speech import Transcriber
from shopseek.errors import BadInput, BadQuery, NotFound
from shopseek.feedback.campaigns import Campaign, Campaigns
from shopseek.feedback.events import Event, EventLog
from shopseek.feedback.experiments import Experiment, Experiments, Variant
from shopseek.feedback.profiles import Profile, build_profile
from shopseek.index.base import Indexes, TextIndex, VectorSpace
from shopseek.index.lexical import LexicalIndex
from shopseek.index.snapshots import VECTOR_FILES, LocalIndexes, Snapshots
from shopseek.index.vectors import VectorIndex
from shopseek.language import has_known_word, to_english, tokenize
from shopseek.pipeline import EncodedBatch, encode_batch, encode_media, encode_products
from shopseek.search import related
from shopseek.search.answers import Answer, AnswerFinder
from shopseek.search.engine import Hit, Query, SearchEngine, SearchResult
from shopseek.search.rank import LearnedRanker
from shopseek.search.synonyms import SynonymGroups, Synonyms
from shopseek.search.terms import CatalogueTerms
from shopseek.thesaurus import synonyms

SHOP_HEADS = "heads/alignment.pt"  # heads adapted to this shop by `shopseek train alignment --index`
INGEST_BATCH = 64
CHECKPOINT_EVERY = 1000
RECOVERY_BATCH = 4096
TERMS_FILE = "terms.json"  # the catalogue's learned words, beside the index snapshot they belong to
HOTWORDS = 80  # catalogue words biasing speech recognition (benchmarks/voice.py: best dev WER, with beam 5)
HOT_PHRASES = 40  # catalogue phrases biasing a second hearing (benchmarks/voice.py)
Progress = Callable[[int], None]
SearchIndexes = Indexes[VectorSpace, TextIndex]


@dataclass
class IngestReport:
    """What an ingest did: products written, images encoded and the problems met."""

    added: int = 0
    images: int = 0
    problems: list[ReadProblem] = field(default_factory=list)


@dataclass(frozen=True)
class SearchRequest:
    """A search as a client asks it: words and/or a photo, a page, filters, a sort and who is asking."""

    text: str = ""
    image: Image.Image | None = None
    k: int = 10
    page: int = 1
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    user: str | None = None
    logged: bool = True  # False for the shop's own tools (CLI): not counted in analytics


def settle_heap() -> None:
    """Move every object alive now (the opened indexes: millions of Python objects) out of the cyclic collector's
    view. Its full passes walked them all, in the middle of searches: fusion took 3.5 ms on average instead of 0.8
    at 7,248 products. Reference counting still frees them; only cycles among them would stay. It costs no pass
    (at a million products one would hold the interpreter lock for seconds)."""
    gc.freeze()


def give_back_heap() -> None:
    """Give the C heap's free pages back to the system after a checkpoint replaced the vector spaces, when gigabytes
    come free at once (glibc keeps them: a replaced 1M image space stayed resident, 1.8 GB)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back this way
        ctypes.CDLL(None).malloc_trim(0)  # ctypes lets other threads run meanwhile


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
        indexes: SearchIndexes | None = None,
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
        self.campaigns = Campaigns(folder / "campaigns.sqlite", tokenize)
        self.snapshots = Snapshots(folder)
        _, self._snapshot_sequence = self.snapshots.current()
        self._local: LocalIndexes | None = None  # indexes this folder owns: snapshotted and recovered here
        self.indexes: SearchIndexes
        if indexes is None:  # no local name keeps the loaded spaces: recovery's checkpoint may replace them
            self._local = self.indexes = self.snapshots.load(self.vector_dims(), tokenize)
        else:
            self.indexes = indexes
        self.ranker = LearnedRanker(folder / "ranker")
        self.terms = CatalogueTerms()
        self.synonyms = Synonyms(folder, tokenize)
        self.transcriber = Transcriber()  # the speech model loads on the first voice search
        self.answer_finder = AnswerFinder(folder / "answers.sqlite", self.encoder)
        self.engine = SearchEngine(
            self.store, self.indexes, self.encoder, self.settings, self.ranker, self.events, self.terms, self.synonyms
        )
        self._lock = rwlock.RWLockWrite()  # searches share the indexes; an index update has them alone
        self._writing = threading.Lock()  # one writer at a time, so store and indexes apply writes in one order
        self._checkpointer: threading.Thread | None = None
        has_known_word(to_english("预热 warm up"))  # loads jieba and CC-CEDICT now, not in a shopper's first query
        synonyms("warm")  # and WordNet's nouns
        self.recovered = 0
        self.ready = threading.Event()  # set once the indexes agree with the store
        if not defer_recovery:
            self.finish_opening()

    @classmethod
    def existing(cls, folder: Path, defer_recovery: bool = False) -> ShopSeek:
        """Open an index folder that already holds a catalogue; NotFound (never a new empty index) otherwise."""
        if not (folder / "catalog.sqlite").exists():
            raise NotFound(f"{folder} is not a shopseek index: build it with `shopseek ingest CATALOG --index DIR`")
        return cls(folder, defer_recovery=defer_recovery)

    def finish_opening(self) -> None:
        """Learn the catalogue's words, replay journal entries newer than the snapshot and refresh derived vectors;
        then `ready` is set."""
        snapshot, _ = self.snapshots.current()
        if self._local is not None and self.terms.restore(snapshot / TERMS_FILE):
            replayed = [key for key, op in self.store.journal_since(self._snapshot_sequence).items() if op == "upsert"]
            self.terms.add(stored.product.naming_text() for stored in self.store.get_many(replayed).values())
        else:
            self.terms.add(self.store.naming_texts())
        if self._local is not None:
            self.recovered = self._recover()
            self._refresh_images()
            self._refresh_joint_space()
            self._refresh_lexical()
        settle_heap()
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

    def _use(self, indexes: LocalIndexes) -> None:
        """Swap in rebuilt local indexes for every reader at once (callers hold the write lock)."""
        self._local = indexes
        self.indexes = self.engine.indexes = indexes

    def count(self) -> int:
        """Number of products in the catalogue."""
        return self.store.count()

    def index_card(self) -> dict[str, dict[str, object]]:
        """Each local vector space's layout and measured recall@10 (empty when shards hold the indexes)."""
        local = self._local
        return {} if local is None else {name: getattr(local, name).card() for name in VECTOR_FILES}

    def search(self, query: Query) -> SearchResult:
        """Run a query as given (many may run at once; writes wait for them)."""
        with self._lock.gen_rlock():
            return self.engine.search(query)

    def search_for(self, request: SearchRequest) -> SearchResult:
        """A client's search: their experiment variant and profile applied, and logged for analytics."""
        assigned = self.experiments.active_for(request.user) if request.user else None
        variant = assigned[2] if assigned else Variant()
        profile = self.profile(request.user) if request.user and variant.personalised else None
        query = Query(
            request.text,
            request.image,
            request.k,
            (request.page - 1) * request.k,
            request.filters,
            sort=request.sort,
            profile=profile,
            learned_ranking=variant.learned_ranking,
            weights=variant.weights or None,
        )
        result = self.search(query)
        if request.page == 1 and request.text.strip() and self.campaigns.any_running():
            result = self._with_sponsored(result, request, profile)
        if request.logged:
            photo = request.image is not None
            label = request.text + " [+photo]" if request.text and photo else request.text or "[photo]"
            group = f"{assigned[0]}:{assigned[1]}" if assigned else None
            self.events.log_search(label, result.total, request.user, group)
        return result

    def suggest(self, prefix: str, k: int = 5) -> list[str]:
        """Completions of what a shopper is typing: popular queries that found products, then catalogue phrases."""
        if not prefix.strip():
            return []
        phrases = self.events.popular_queries(prefix.strip(), k) + self.terms.suggest(prefix, k)
        return list(dict.fromkeys(phrases))[:k]

    def answers(self, product_id: str, question: str, k: int = 3) -> list[Answer]:
        """The sentences of a product's description, attributes and reviews that answer a question; NotFound when
        the product is unknown, BadQuery when there is no question."""
        if not question.strip():
            raise BadQuery("ask a question")
        stored = self.product(product_id)
        return self.answer_finder.answers(stored.key, stored.product, question, k)

    def answers_across(self, question: str, products: int = 5, k: int = 2) -> list[tuple[Hit, list[Answer]]]:
        """The products that best match a question, each with the sentences of its text that answer it."""
        hits = self.search_for(SearchRequest(question, k=products, logged=False)).hits
        return [(hit, self.answer_finder.answers(hit.key, hit.product, question, k)) for hit in hits]

    def transcribe(self, audio: bytes) -> str:
        """The words of a spoken query, heard with a bias towards this catalogue's frequent words and phrases."""
        biases = [self.terms.frequent(HOTWORDS), self.terms.frequent_phrases(HOT_PHRASES)]
        return self.transcriber.transcribe(audio, biases, self.terms.known_words)

    def _with_sponsored(self, result: SearchResult, request: SearchRequest, profile: Profile | None) -> SearchResult:
        """The page with up to `sponsored_slots` auctioned products on top (marked, and not repeated below)."""
        stored = self.store.get_many([key for key, _ in result.leaders])
        answers = [(stored[key].product.id, score) for key, score in result.leaders if key in stored]
        excluded = set(profile.disliked_for) if profile else set()
        slots = self.campaigns.auction(request.text, answers, excluded, self.settings.sponsored_slots)
        if not slots:
            return result
        self.campaigns.served(slots, request.user or "anonymous")
        key_of = {product.product.id: key for key, product in stored.items()}
        ranked = [(key_of[slot.product_id], slot.rank_score) for slot in slots]
        sponsored = [replace(hit, sponsored=True) for hit in self.engine.hits(ranked, {})]
        shown = {key for key, _ in ranked}
        return replace(result, hits=sponsored + [hit for hit in result.hits if hit.key not in shown])

    def product(self, product_id: str) -> StoredProduct:
        """A stored product; NotFound when unknown."""
        stored = self.store.get(product_id)
        if stored is None:
            raise NotFound(f"unknown product {product_id!r}")
        return stored

    def image_file(self, product_id: str, number: int) -> Path:
        """The stored copy of a product's photo; NotFound when the product or photo is unknown."""
        stored = self.product(product_id)
        if not 0 <= number < stored.image_count:
            raise NotFound(f"product {product_id!r} has no image {number}")
        return self.store.media_dir / str(stored.key) / f"{number}.jpg"

    def similar(self, product_id: str, k: int = 10) -> list[Hit]:
        """Products most like a given one, by its image and its text; NotFound when unknown."""
        with self._lock.gen_rlock():
            return related.similar(self.engine, self.product(product_id).key, k)

    def profile(self, user_id: str, before: float | None = None) -> Profile:
        """A shopper's profile from their events, as of now (or as of an earlier time)."""

        def vector_of(product_id: str) -> np.ndarray | None:
            key = self.store.key_of(product_id)
            return None if key is None else self.engine.taste_vector(key)

        with self._lock.gen_rlock():
            return build_profile(user_id, self.events.for_user(user_id, before=before), vector_of, now=before)

    def recommend(self, user_id: str, k: int = 10) -> list[Hit]:
        """For-you products from a shopper's likes, clicks, carts and purchases."""
        profile = self.profile(user_id)
        with self._lock.gen_rlock():
            return related.recommend(self.engine, profile, k)

    def record(self, event: Event) -> int:
        """Store a shopper event about a known product; NotFound when the product is unknown."""
        self._accept([event])
        return self.events.append(event)

    def record_all(self, events: Sequence[Event]) -> int:
        """Store events about known products, all or none: NotFound naming the first unknown product."""
        self._accept(events)
        self.events.append_many(list(events))
        return len(events)

    def _accept(self, events: Sequence[Event]) -> None:
        """Check events name known products (NotFound otherwise); then charge clicks on products just shown as
        ads to their campaigns."""
        for event in events:
            if self.store.key_of(event.product_id) is None:
                raise NotFound(f"unknown product {event.product_id!r}")
        for event in events:
            if event.type == "click":
                self.campaigns.clicked(event.user_id, event.product_id)

    def categories(self, limit: int = 20) -> dict[str, int]:
        """The catalogue's largest categories with their product counts."""
        return self.store.category_counts(limit)

    def set_synonyms(self, groups: SynonymGroups) -> None:
        """Replace this shop's synonym groups; searches use them at once."""
        self.synonyms.replace(groups)
        self.engine.forget_results()

    def put_campaign(self, name: str, campaign: Campaign) -> dict[str, Any]:
        """Create or replace a sponsored-products campaign; BadInput naming products the catalogue lacks."""
        unknown = [pid for pid in campaign.products if self.store.key_of(pid) is None]
        if unknown:
            raise BadInput(f"unknown products: {', '.join(repr(pid) for pid in unknown[:5])}")
        self.campaigns.put(name, campaign)
        return self.campaigns.report(name)

    def campaign_report(self, name: str) -> dict[str, Any]:
        """A campaign's impressions, clicks, CTR and spend; NotFound when unknown."""
        if self.campaigns.get(name) is None:
            raise NotFound(f"unknown campaign {name!r}")
        return self.campaigns.report(name)

    def delete_campaign(self, name: str) -> None:
        """Stop and remove a campaign; NotFound when unknown."""
        if not self.campaigns.delete(name):
            raise NotFound(f"unknown campaign {name!r}")

    def put_experiment(self, name: str, experiment: Experiment) -> None:
        """Create or replace an A/B experiment."""
        self.experiments.put(name, experiment)

    def experiment_report(self, name: str) -> dict[str, object]:
        """Per-variant CTR, conversion and NDCG-from-clicks with a significance test; NotFound when unknown."""
        if self.experiments.get(name) is None:
            raise NotFound(f"unknown experiment {name!r}")
        return self.experiments.report(name, self.events)

    def analytics(self) -> dict[str, Any]:
        """Top and zero-result queries, click-through by query, searches and CTR per day, campaigns' CTR and spend."""
        return {**self.events.analytics(), "campaigns": self.campaigns.reports()}

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
        with self._writing:
            key = self.store.delete(product_id)
            if key is None:
                return False
            with self._lock.gen_wlock():
                self._unindex([key])
        self._checkpoint_if_due()
        return True

    def _unindex(self, keys: list[int]) -> None:
        """Remove products from every index (in a frame of its own: recovery's loop variable kept the last space it
        touched alive through the checkpoint that replaced it, 0.7 GB at a million products)."""
        for index in self.indexes.all():
            index.delete(keys)

    def _ingest_batch(self, batch: list[ReadItem], report: IngestReport, progress: Progress | None) -> None:
        """Encode and write a batch; an id given twice is written once, as its last version."""
        last = {item.product.id: item for item in batch}
        encoded = encode_batch(self.encoder, list(last.values()))
        encoded.read = len(batch)
        self.write_encoded(encoded, report, progress)

    def write_encoded(self, encoded: EncodedBatch, report: IngestReport, progress: Progress | None = None) -> None:
        """Store encoded products durably and add them to every index (the writing half of ingest)."""
        with self._writing:  # the durable store write (fsync) keeps searches waiting for the index update only
            keys = self.store.upsert_many(list(zip(encoded.products, encoded.copies, strict=True)), encoded.packed())
            with self._lock.gen_wlock():
                self._index_encoded(keys, encoded)
            self.terms.add(p.naming_text() for p in encoded.products)  # before any snapshot that holds them
        report.added += len(encoded.products)
        report.images += encoded.images
        report.problems += encoded.problems
        if progress:
            progress(encoded.read)

    def _index_encoded(self, keys: list[int], encoded: EncodedBatch) -> None:
        """Replace these keys' entries in every index with the encoded vectors (an add replaces: only a product that
        lost its text, its photos or a kind of vector leaves an index)."""
        cross_modal = self.encoder.cross_modal
        wordless = [key for key, keep in zip(keys, encoded.has_text, strict=True) if not keep]
        unseen = [key for key, keep in zip(keys, encoded.has_image, strict=True) if not keep]
        indexes = self.indexes
        for index, leaving in (
            (indexes.lexical, wordless),
            (indexes.text, wordless),
            (indexes.joint_text, wordless if cross_modal else keys),
            (indexes.image, unseen),
            (indexes.joint_image, unseen if cross_modal else keys),
            (indexes.visual_words, unseen if encoded.visual_words is not None else keys),
        ):
            index.delete(leaving)
        text_keys = np.array([k for k, keep in zip(keys, encoded.has_text, strict=True) if keep], dtype=np.int64)
        image_keys = np.array([k for k, keep in zip(keys, encoded.has_image, strict=True) if keep], dtype=np.int64)
        texts = [p.searchable_text() for p, keep in zip(encoded.products, encoded.has_text, strict=True) if keep]
        indexes.lexical.add(text_keys.tolist(), texts)
        if len(text_keys):
            indexes.text.add(text_keys, encoded.text_vectors)
        if len(image_keys):
            indexes.image.add(image_keys, encoded.image_vectors)
        if cross_modal and len(text_keys):
            indexes.joint_text.add(text_keys, cross_modal.text(encoded.text_vectors))
        if cross_modal and len(image_keys):
            indexes.joint_image.add(image_keys, cross_modal.image(encoded.image_vectors))
        if encoded.visual_words is not None and len(image_keys):
            indexes.visual_words.add(image_keys, encoded.visual_words)

    def save(self) -> None:
        """Snapshot the indexes and settings (sharded indexes are their owner's business). Writers wait for the
        snapshot; searches do not (files are written from the live indexes, which a search only reads) except while the
        vector spaces read back from it (re-laid out for their size, storage grown by writes given back) swap in."""
        if self._local is None:
            return
        with self._writing:  # a consistent cut: no write lands until the snapshot is whole; one snapshot at a time
            sequence, local = self.store.journal_head(), self._local

            def learned_words(snapshot: Path) -> None:  # without them, opening reads every product again
                self.terms.save(snapshot / TERMS_FILE)

            written = self.snapshots.write(local, sequence, self.settings.vector_compression, learned_words)
            with self._lock.gen_wlock():
                self._use(written)
            self.settings.save(self.folder)
            self._snapshot_sequence = sequence
            self.store.trim_journal(sequence)
        del local, written  # the replaced spaces go now, so their memory can be given back
        give_back_heap()
        settle_heap()

    def _refresh_joint_space(self) -> None:
        """Recompute joint vectors from the stored base vectors when the cross-modal heads changed (no re-encoding)."""
        cross_modal = self.encoder.cross_modal
        version = cross_modal.version if cross_modal else ""
        if self._local is None or version == self.settings.joint_version:
            return
        with self._lock.gen_wlock():
            local, dims = self._local, self.vector_dims()
            joint_text, joint_image = VectorIndex(dims["joint_text"]), VectorIndex(dims["joint_image"])
            if cross_modal:
                for base, joint, project in (
                    (local.text, joint_text, cross_modal.text),
                    (local.image, joint_image, cross_modal.image),
                ):
                    keys, vectors = base.export()
                    for start in range(0, len(keys), 4096):
                        joint.add(keys[start : start + 4096], project(vectors[start : start + 4096]))
            self.settings.joint_version = version
            self._use(replace(local, joint_text=joint_text, joint_image=joint_image))
        self.save()

    def _stored_media(self, stored: Sequence[StoredProduct]) -> list[list[Image.Image]]:
        """The decoded stored photo copies of each product."""
        return [[decode_image(data) for data in self.store.image_bytes(p.key, p.image_count)] for p in stored]

    def _refresh_images(self) -> None:
        """Re-encode the stored product photos when the encoder's image vectors or visual words changed
        (an index never needs re-ingesting for a better image encoder)."""
        version = self.encoder.image_version
        if self._local is None or version == self.settings.image_version:
            return
        with self._lock.gen_wlock():
            local = self._local
            keys, _ = local.image.export()
            stored = list(self.store.get_many(keys.tolist()).values())
            for start in range(0, len(stored), INGEST_BATCH):
                chunk = [p for p in stored[start : start + INGEST_BATCH] if p.image_count]
                chunk_keys = np.array([p.key for p in chunk], dtype=np.int64)
                vectors, words = encode_media(self.encoder, self._stored_media(chunk))
                local.image.add(chunk_keys, vectors)
                if self.encoder.cross_modal:
                    local.joint_image.add(chunk_keys, self.encoder.cross_modal.image(vectors))
                if words is not None:  # products without stored photos keep theirs: nothing to re-encode
                    local.visual_words.add(chunk_keys, words)
            self.settings.image_version = version
        self.save()

    def _refresh_lexical(self) -> None:
        """Re-read every product's words into a new lexical index, built aside and swapped in, when the text the
        lexical index reads changed since this index was built (`SEARCHABLE_TEXT_VERSION`)."""
        if self._local is None or self.settings.lexical_version == SEARCHABLE_TEXT_VERSION:
            return
        with self._writing:
            worded = (stored for stored in self.store.iter_all() if stored.product.has_text)
            rebuilt = LexicalIndex.built_from(tokenize, ((s.key, s.product.searchable_text()) for s in worded))
            with self._lock.gen_wlock():
                self._use(replace(self._local, lexical=rebuilt))
                self.settings.lexical_version = SEARCHABLE_TEXT_VERSION
        self.save()

    def _checkpoint_if_due(self) -> None:
        """Snapshot the indexes in the background once the journal since the last one has grown by a tenth of the
        catalogue (at least CHECKPOINT_EVERY writes): snapshots cost O(catalogue), replaying the journal's vectors
        costs O(writes)."""
        due = max(CHECKPOINT_EVERY, self.store.count() // 10)
        if self._local is None or self.store.journal_head() - self._snapshot_sequence < due:
            return
        with self._writing:
            if self._checkpointer is None or not self._checkpointer.is_alive():
                self._checkpointer = threading.Thread(target=self.save, name="shopseek-checkpoint", daemon=True)
                self._checkpointer.start()

    def _recover(self) -> int:
        """Replay journal entries newer than the snapshot: re-index from the vectors the journal carries (re-encode
        from the store and stored media only the products written without them), then snapshot."""
        operations = self.store.journal_since(self._snapshot_sequence)
        if not operations or self._local is None:
            return 0
        with self._lock.gen_wlock():
            self._unindex(list(operations))
            carried = self.store.journal_vectors(self._snapshot_sequence)
            products = list(self.store.get_many([k for k, op in operations.items() if op == "upsert"]).values())
            dims = self.vector_dims()
            for start in range(0, len(products), RECOVERY_BATCH):
                chunk = [p for p in products[start : start + RECOVERY_BATCH] if p.key in carried]
                blobs = [carried[p.key] for p in chunk]
                encoded = EncodedBatch.unpacked([p.product for p in chunk], blobs, dims["text"], dims["image"])
                self._index_encoded([p.key for p in chunk], encoded)
            lacking = [p for p in products if p.key not in carried]
            for start in range(0, len(lacking), INGEST_BATCH):
                chunk = lacking[start : start + INGEST_BATCH]
                encoded = encode_products(self.encoder, [p.product for p in chunk], self._stored_media(chunk))
                self._index_encoded([p.key for p in chunk], encoded)
        self.save()
        return len(operations)

    def close(self) -> None:
        """Finish a running checkpoint; release the store, the event log and the answer cache."""
        if self._checkpointer is not None:
            self._checkpointer.join()
        self.store.close()
        self.events.close()
        self.answer_finder.close()
        self.campaigns.close()
