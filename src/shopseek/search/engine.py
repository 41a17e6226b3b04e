"""The search engine: recall per signal over the indexes, fuse, filter, paginate."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field, replace

import cachetools
import numpy as np
from PIL import Image

from shopseek.catalog.schema import Product
from shopseek.catalog.store import Filters, ProductStore
from shopseek.config import Settings, Signal
from shopseek.encoders.base import Encoder, normalize
from shopseek.errors import BadQuery
from shopseek.feedback.profiles import Profile
from shopseek.index.base import Hits, Indexes, TextIndex, VectorSpace
from shopseek.index.lexical import holder_of
from shopseek.language import has_known_word, tokenize
from shopseek.search.floor import answering
from shopseek.search.fuse import FUSERS, adding
from shopseek.search.head_words import HEAD_POOL, head_of, heads_first, holding_head
from shopseek.search.highlight import highlight_spans
from shopseek.search.rank import Behaviour, Candidate, LearnedRanker, RankerModel
from shopseek.search.synonyms import Synonyms
from shopseek.search.terms import CatalogueTerms
from shopseek.search.trust import (
    COLOUR_SIGNALS,
    GENERAL_SIGNALS,
    HEAD_SIGNALS,
    TOP,
    lexical_share,
    photo_trust,
    share_trust,
    unnamed_colour_say,
)
from shopseek.search.understand import colours_in, understand

IMAGE_NEIGHBOURS_FOR_TEXT = 5
SORT_POOL = 100
LEADERS = 50  # answers a result keeps beyond its page (sponsored slots are chosen among them)
QUERY_CACHE_SIZE = 4096
RESULT_CACHE_SIZE = 2048
MATCH_DEPTH = 50
SORTS = ("relevance", "price_asc", "price_desc")
NEAR_DUPLICATE = 0.05
NEAR_EXACT_PHOTO = 0.97  # a photo this close to a product's photo is that product: it stays first whatever the words
NEAR_EXACT_GAP = 0.01  # ...unless another product's photo is as close
STANDOUT_PHOTO, STANDOUT_GAP = 0.75, 0.15  # or it matches this well and this much better than the next product
COSINE_WINDOW = 0.35


# signal -> (the query's primary signal that stands in for it, the modality a product must lack).
# Only primary signals stand in: a secondary signal (cross-modal for words) never displaces a primary one.
STAND_INS = {
    "colour": ("dense", "image"),
    "cross_modal": ("dense", "image"),
    "visual_words": ("dense", "image"),
    "match": ("dense", "image"),
    "image_text": ("image", "text"),
    "image_cross_modal": ("image", "text"),
}


def within_window(hits: Hits, window: float = COSINE_WINDOW) -> Hits:
    """Drop cosine hits far below the best one: they are not candidates, whatever their rank."""
    return [hit for hit in hits if hit[1] >= hits[0][1] - window] if hits else hits


@dataclass(frozen=True)
class Query:
    """A shopper's query: words, a photo, or both, with filters and a page window."""

    text: str = ""
    image: Image.Image | None = None
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    signals: frozenset[Signal] | None = None
    sort: str = "relevance"
    profile: Profile | None = None
    learned_ranking: bool = True
    weights: dict[str, float] | None = None

    def uses(self, signal: Signal) -> bool:
        """True when this query asks for a signal (all signals by default)."""
        return self.signals is None or signal in self.signals


@dataclass(frozen=True)
class Hit:
    """One result: the product, its fused score and the score each signal gave it."""

    key: int
    product: Product
    score: float
    signals: dict[str, float]
    image_count: int = 0
    highlights: tuple[tuple[int, int], ...] = ()  # spans of the title that match the query's words
    sponsored: bool = False


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, how many matched in all, and the time taken."""

    hits: list[Hit]
    total: int
    took_ms: float
    facets: dict[str, object]
    corrected: str | None = None  # the words searched for instead, when the query's words were misspelt
    leaders: tuple[tuple[int, float], ...] = ()  # the best answers (key, fused score), whatever the page or sort


def pinned_photo_match(fused: list[tuple[int, float]], image_hits: Hits) -> list[tuple[int, float]]:
    """The ranking with the product the query photo shows moved first: its photo matches near-exactly, or far
    better than any other product's (a product's vector pools all its photos, so one of them matches less than
    exactly). When several products share the photo, the words decide among them as usual."""
    if not image_hits or not fused or fused[0][0] == image_hits[0][0]:
        return fused
    best, runner_up = image_hits[0][1], image_hits[1][1] if len(image_hits) > 1 else 0.0
    exact = best >= NEAR_EXACT_PHOTO and runner_up < best - NEAR_EXACT_GAP
    standout = best >= STANDOUT_PHOTO and runner_up < best - STANDOUT_GAP
    if not (exact or standout):
        return fused
    key = image_hits[0][0]
    if all(k != key for k, _ in fused):  # filtered out, or disliked: never brought back
        return fused
    return [(key, fused[0][1]), *((k, score) for k, score in fused if k != key)]


@dataclass(frozen=True)
class Recalled:
    """Candidate lists per signal, and whether the best word matches holding the query's head noun only mention it
    in passing (none names it in its title, brand or category)."""

    lists: dict[str, Hits]
    head_only_mentioned: bool


class SearchEngine:
    """Runs queries against a store and its indexes with one encoder and the index settings."""

    def __init__(
        self,
        store: ProductStore,
        indexes: Indexes[VectorSpace, TextIndex],
        encoder: Encoder,
        settings: Settings,
        ranker: LearnedRanker | None = None,
        behaviour: Behaviour | None = None,
        terms: CatalogueTerms | None = None,
        synonyms: Synonyms | None = None,
    ) -> None:
        self.store = store
        self.terms = terms
        self.synonyms = synonyms
        self.indexes = indexes
        self.encoder = encoder
        self.settings = settings
        self.ranker = ranker
        self.behaviour = behaviour
        self._query_vector = functools.lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_query)
        self._joint_query_vector = functools.lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_joint_query)
        self._results: cachetools.LRUCache[tuple, SearchResult] = cachetools.LRUCache(maxsize=RESULT_CACHE_SIZE)
        self._results_lock = threading.Lock()

    def recall(self, query: Query, allowed: np.ndarray | None) -> Recalled:
        """Candidate lists per signal for a query."""
        depth = self.settings.recall_k
        lists: dict[str, Hits] = {}
        head_only_mentioned = False
        if query.text.strip():
            understood = understand(query.text)
            if query.uses("lexical"):
                lists["lexical"], head_only_mentioned = self._word_matches(query.text, depth, allowed)
            text_query = self._query_vector(tuple(understood.renditions))
            if query.uses("dense"):
                lists["dense"] = within_window(self.indexes.text.search_one(text_query, depth, allowed))
            if query.uses("cross_modal") and self.encoder.cross_modal:
                joint = self._joint_query_vector(tuple(understood.renditions))
                lists["cross_modal"] = within_window(self.indexes.joint_image.search_one(joint, depth, allowed))
            if query.uses("visual_words") and self.encoder.visual_words_version:
                lists["visual_words"] = within_window(self.indexes.visual_words.search_one(text_query, depth, allowed))
            if query.uses("colour") and (colour := self.encoder.colour_query(understood.colours)) is not None:
                lists["colour"] = self._colour_among_candidates(colour, lists)
        if query.image is not None:
            image_query = self.encoder.encode_image(query.image)
            image_hits = within_window(self.indexes.image.search_one(image_query, depth, allowed))
            if query.uses("image"):
                lists["image"] = image_hits
            if query.uses("image_text"):
                lists["image_text"] = within_window(self._text_side_of_image(image_hits, depth, allowed))
            if query.uses("cross_modal") and self.encoder.cross_modal:
                joint = self.encoder.cross_modal.image(image_query[None, :])[0]
                hits = within_window(self.indexes.joint_text.search_one(joint, depth, allowed))
                lists["image_cross_modal"] = hits
        return Recalled(lists, head_only_mentioned)

    def _word_matches(self, text: str, depth: int, allowed: np.ndarray | None) -> tuple[Hits, bool]:
        """BM25 hits for the query's words, keeping those that hold its head noun (or a synonym of it)
        when one of the best of them names it; a head only mentioned in passing keeps every match, and says so."""
        hits = self.indexes.lexical.search_tokens(self._lexical_tokens(text), depth, allowed)
        found = self._head_holders(text, hits)
        if found is None or not found[0]:
            return hits, False
        holding, named = found
        return (holding_head(hits, holding), False) if named else (hits, True)

    def _head_holders(self, text: str, hits: Hits) -> tuple[set[int], bool] | None:
        """The word matches holding the query's head noun (in English, in Chinese, or as a synonym of it)
        and whether one of the best of them names it in its title, brand or category; None without a head noun."""
        head = head_of(text)
        if head is None or not hits:
            return None
        forms = self._lexical_tokens(head)
        holding = self.indexes.lexical.holding([key for key, _ in hits], forms)
        stored = self.store.get_many([key for key, _ in hits if key in holding][:TOP])
        names = holder_of(forms)
        return holding, any(any(map(names, tokenize(found.product.naming_text()))) for found in stored.values())

    def _lexical_tokens(self, text: str) -> list[str]:
        """The words the lexical index is asked for: the query's tokens, the catalogue words it writes as two, the
        catalogue's English synonyms of words it lacks, and the shop's own synonyms of them all."""
        understood = understand(text)
        tokens = understood.tokens
        if self.terms and (own := self.terms.joined(understood.english) + self.terms.synonyms_used(understood.english)):
            tokens = list(dict.fromkeys(tokens + tokenize(" ".join(own))))
        return self.synonyms.expand(tokens) if self.synonyms else tokens

    def _colour_among_candidates(self, colour: np.ndarray, lists: dict[str, Hits]) -> Hits:
        """The candidates other signals found, ordered by how much their photos show the colours asked for.

        Colour only re-orders what words found: on its own it would bring every red thing to "red phone".
        """
        pool = np.unique(np.array([key for hits in lists.values() for key, _ in hits], dtype=np.int64))
        return self.indexes.image.search_one(colour, len(pool), pool)

    def _match_scores(self, text: str, top: list[tuple[int, float]]) -> Hits:
        """The matching head's probability that each top candidate's image fits the words, best first."""
        assert self.encoder.cross_modal is not None
        keys, images = self.indexes.joint_image.vectors(np.array([key for key, _ in top], dtype=np.int64))
        if not len(keys):
            return []
        joint = self._joint_query_vector(tuple(understand(text).renditions))
        probability = self.encoder.cross_modal.match(joint, images)
        order = np.argsort(-probability, kind="stable")
        return [(int(keys[i]), float(probability[i])) for i in order]

    def _encode_query(self, renditions: tuple[str, ...]) -> np.ndarray:
        """The text vector of a query: its own vector and its English rendition's, when it has one, weighted by
        `english_rendition_say` (the small text encoder reads the dictionary's English better than short Chinese
        words: "围巾" alone finds leggings, "scarf" scarves)."""
        vectors = self.encoder.encode_texts(list(renditions), "query")
        weights = np.array([1.0] + [self.settings.english_rendition_say] * (len(renditions) - 1), dtype=np.float32)
        return normalize(weights @ vectors)

    def _encode_joint_query(self, renditions: tuple[str, ...]) -> np.ndarray:
        """The query's vector in the cross-modal joint space."""
        assert self.encoder.cross_modal is not None
        return self.encoder.cross_modal.text(self._query_vector(renditions)[None, :])[0]

    def _text_side_of_image(self, image_hits: Hits, depth: int, allowed: np.ndarray | None) -> Hits:
        """Products whose text is like the text of the photo's nearest products (near-duplicates only)."""
        if not image_hits:
            return []
        best = image_hits[0][1]
        close = [key for key, score in image_hits[:IMAGE_NEIGHBOURS_FOR_TEXT] if score >= best - NEAR_DUPLICATE]
        _, found = self.indexes.text.vectors(np.array(close, dtype=np.int64))
        if not len(found):
            return []
        return self.indexes.text.search_one(normalize(found.mean(axis=0)), depth, allowed)

    def stand_in_for_missing(
        self, lists: dict[str, Hits], signals: tuple[str, ...] = tuple(STAND_INS)
    ) -> dict[str, Hits]:
        """Rank a product that lacks a modality, in that modality's signal, as its other signal ranked it (in these
        signals' lists; the others stay as they are).

        Without this, fusion would punish image-only and text-only products for what they cannot have.
        """
        has = {"text": self.indexes.text, "image": self.indexes.image}
        lacking: dict[tuple[str, str], set[int]] = {}  # looked up once per stand-in list, not once per signal
        completed = dict(lists)
        for signal in signals:
            stand_in, modality = STAND_INS[signal]
            if signal not in lists or stand_in not in lists:
                continue
            if (stand_in, modality) not in lacking:
                listed = np.array([key for key, _ in lists[stand_in]], dtype=np.int64)
                lacking[stand_in, modality] = set(listed[~has[modality].held(listed)].tolist())
            missing = lacking[stand_in, modality]
            merged = list(lists[signal])
            for rank, (key, score) in enumerate(lists[stand_in]):
                if key in missing:
                    merged.insert(min(rank, len(merged)), (key, score))
            completed[signal] = merged
        return completed

    def spelled(self, query: Query) -> tuple[Query, str | None]:
        """The query with misspelt words corrected towards the catalogue's own words, and the correction made."""
        corrected = self.terms.corrected(query.text) if self.terms and query.text.strip() else None
        return (replace(query, text=corrected), corrected) if corrected else (query, None)

    def candidates(self, query: Query) -> tuple[dict[str, Hits], list[tuple[int, float]]]:
        """Per-signal lists and their fusion, with the shopper's dislikes for this query removed and, for a full
        word query, only the candidates above the relevance floor."""
        if not query.text.strip() and query.image is None:
            raise BadQuery("give words, a photo, or both")
        allowed = self.store.keys_matching(query.filters) if query.filters.active else None
        recalled = self.recall(query, allowed)
        lists = recalled.lists
        profile = query.profile
        if profile is not None and not profile.empty:
            lists["personal"] = self._personal(lists, profile)
        weights = {**self.settings.fusion_weights(), **(query.weights or {})}
        weights = self._trusted(query.text, lists, self._colour_said(query.text, lists, weights))
        weights = self._words_named(recalled.head_only_mentioned, lists, weights)
        fuser = FUSERS[self.settings.fusion]
        fused = fuser(self.stand_in_for_missing(lists), weights)
        if query.uses("like_first") and (like := self._like_first(query, lists, fused, allowed)) is not None:
            lists["like_first"] = like
            fused = adding(fuser, fused, like, weights.get("like_first", 1.0))
        if query.uses("match") and query.text.strip() and self.encoder.cross_modal:
            lists["match"] = self._match_scores(query.text, fused[:MATCH_DEPTH])
            match = self.stand_in_for_missing(lists, ("match",))["match"]
            fused = adding(fuser, fused, match, weights.get("match", 1.0))
        if profile is not None and profile.disliked_for:
            excluded = {self.store.key_of(pid) for pid in profile.disliked_for if profile.excludes(pid, query.text)}
            fused = [(key, score) for key, score in fused if key not in excluded]
        if query.image is None and query.signals is None and self.settings.relevance_floor:
            relevant = self._answering(query.text, lists, weights)
            if relevant is not None:
                fused = [(key, score) for key, score in fused if key in relevant]
        if query.image is None and query.text.strip():
            stored = self.store.get_many([key for key, _ in fused[:HEAD_POOL]])
            fused = heads_first(query.text, fused, {key: found.product.title for key, found in stored.items()})
        return lists, fused

    def _like_first(
        self, query: Query, lists: dict[str, Hits], fused: list[tuple[int, float]], allowed: np.ndarray | None
    ) -> Hits | None:
        """Texts nearest the query pulled towards the first result's text: the other products of the kind the best
        answer is ("groceries" finds one grocery by its words, the rest by their likeness to it). Only for words
        alone that name no colour (a first result's neighbours share its kind, not the colour asked for); None
        when there is no first result with text."""
        understood = understand(query.text)
        if query.image is not None or "dense" not in lists or not fused or understood.colours:
            return None
        first = self.indexes.text.vector(fused[0][0])
        if first is None:
            return None
        asked = self._query_vector(tuple(understood.renditions))
        pulled = normalize(asked + self.settings.like_first_pull * first)
        return within_window(self.indexes.text.search_one(pulled, self.settings.recall_k, allowed))

    def _answering(self, text: str, lists: dict[str, Hits], weights: dict[str, float]) -> set[int] | None:
        """The candidates with evidence that they answer the words (None: the catalogue has no text to judge by).
        A words-to-photo signal is evidence only while it has a say in this query's fusion (trust moves it)."""
        if not self.indexes.text.count():
            return None
        pool = np.unique(np.array([key for hits in lists.values() for key, _ in hits], dtype=np.int64))
        vector = self._query_vector(tuple(understand(text).renditions))
        dense = self.indexes.text.search_one(vector, len(pool), pool) if len(pool) else []
        photo_side = [lists.get(name, []) for name in ("cross_modal", "visual_words") if weights.get(name, 1.0) > 0]
        windows = (self.settings.dense_window, self.settings.photo_window)
        return answering(lists.get("lexical", []), dense, photo_side, has_known_word(text), *windows)

    def _colour_said(self, text: str, lists: dict[str, Hits], weights: dict[str, float]) -> dict[str, float]:
        """Weights with more say for the photo signals when the query names a colour and its best word matches name
        none (colour variants sharing a title): their words answer the kind of product, only their photos the
        colour."""
        say = self.settings.unnamed_colour_say
        lexical = lists.get("lexical")
        if say == 1.0 or not lexical or not understand(text).colours:
            return weights
        stored = self.store.get_many([key for key, _ in lexical[:TOP]])
        named = sum(bool(colours_in(found.product.naming_attributes_text())) for found in stored.values())
        factor = unnamed_colour_say(named / max(len(stored), 1), say)
        return {**weights, **{name: weights.get(name, 1.0) * factor for name in COLOUR_SIGNALS}}

    def _words_named(
        self, head_only_mentioned: bool, lists: dict[str, Hits], weights: dict[str, float]
    ) -> dict[str, float]:
        """Weights with most of the word matches' say passed to dense retrieval when the best of them holding the
        query's head noun only mention it in passing, none in its title, brand or category: a bag with room "for
        your phone" is no answer to "phone", and the text encoder reads what each product is."""
        kept = self.settings.mentioned_say
        if not head_only_mentioned or "dense" not in lists or kept == 1.0:
            return weights
        say = weights.get("lexical", 1.0)
        return {**weights, "lexical": say * kept, "dense": weights.get("dense", 1.0) + say * (1.0 - kept)}

    def _trusted(self, text: str, lists: dict[str, Hits], weights: dict[str, float]) -> dict[str, float]:
        """Weights with the say of the text-to-photo signals shared by trust: the trained heads (and their matching
        head) keep it while visual words agree with their picks and, when the words occur in the catalogue, while
        their picks hold the words; visual words and measured colour take it when not."""
        picks = lists.get("cross_modal")
        if not picks:
            return weights
        settings = self.settings
        by_photos = photo_trust(
            picks,
            lists.get("visual_words", []),
            settings.head_trust_gap,
            settings.visual_words_sure_at,
            settings.head_confident_at,
        )
        share = self._words_share(text, picks, lexical) if (lexical := lists.get("lexical")) else None
        if by_photos is None and share is None:
            return weights
        trust = min(1.0 if by_photos is None else by_photos, share_trust(share, settings.head_lexical_share))
        heads = {name: weights.get(name, 1.0) * trust for name in HEAD_SIGNALS}
        general = {name: weights.get(name, 1.0) * (1.0 - trust) for name in GENERAL_SIGNALS}
        return {**weights, **heads, **general}

    def _words_share(self, text: str, picks: Hits, lexical: Hits) -> float | None:
        """How much of the words' BM25 the heads' top picks that have text hold, against the best word matches the
        heads could have picked (those with photos); None when either side is empty."""
        chosen = np.array([key for key, _ in picks[:TOP]], dtype=np.int64)
        worded = chosen[self.indexes.text.held(chosen)]
        matched = np.array([key for key, _ in lexical], dtype=np.int64)
        photographed = set(matched[self.indexes.joint_image.held(matched)].tolist())
        best = [(key, score) for key, score in lexical if key in photographed]
        if not len(worded) or not best:
            return None
        picked = self.indexes.lexical.search_tokens(self._lexical_tokens(text), len(worded), worded)
        return lexical_share(picked, best, top=len(worded))

    def describe(self, query: str, fused: list[tuple[int, float]], before: float | None = None) -> list[Candidate]:
        """What the learned ranker needs to know about the top candidates (as of a time, for training)."""
        stored = self.store.get_many([key for key, _ in fused])
        ids = [stored[key].product.id for key, _ in fused if key in stored]
        popularity = self.behaviour.popularity(ids, before) if self.behaviour else {}
        engagement = self.behaviour.query_engagement(query, ids, before) if self.behaviour else {}
        candidates = []
        for rank, (key, score) in enumerate(fused, start=1):
            if key not in stored:
                continue
            product = stored[key].product
            clicks, impressions = engagement.get(product.id, (0.0, 0.0))
            candidates.append(
                Candidate(
                    key,
                    rank,
                    score,
                    popularity.get(product.id, 0.0),
                    clicks,
                    impressions,
                    product.price,
                    stored[key].image_count > 0,
                )
            )
        return candidates

    def search(self, query: Query) -> SearchResult:
        """One page of hits, from the result cache when the catalogue (and behaviour) did not change since."""
        started = time.perf_counter()
        reranks = self.ranker is not None and query.learned_ranking and query.sort == "relevance"
        model = self.ranker.current() if reranks and self.ranker is not None else None
        key = self._cache_key(query, model)
        if key is not None:
            with self._results_lock:
                cached = self._results.get(key)
            if cached is not None:
                return replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 2))
        result = self._search(query, started, model)
        if key is not None:
            with self._results_lock:
                self._results[key] = result
        return result

    def forget_results(self) -> None:
        """Drop cached result pages (after a change the journal does not record, like new synonyms)."""
        with self._results_lock:
            self._results.clear()

    def _cache_key(self, query: Query, model: RankerModel | None) -> tuple | None:
        """What a word query's result depends on, including the catalogue's journal position; None when uncacheable.

        Photo and personal queries are not cached. When a ranker model applies, its file and the event log's
        position are part of the key too, as its features come from logged behaviour.
        """
        if query.image is not None or query.profile is not None:
            return None
        behaviour: tuple = ()
        if model is not None:
            behaviour = (model.path.name, self.behaviour.head() if self.behaviour else 0)
        weights = tuple(sorted((query.weights or {}).items()))
        signals = tuple(sorted(query.signals)) if query.signals is not None else None
        shape = (query.text, query.k, query.offset, query.filters, signals, query.sort, query.learned_ranking, weights)
        return (*shape, self.store.journal_head(), behaviour)

    def _search(self, query: Query, started: float, model: RankerModel | None) -> SearchResult:
        """Correct, recall, fuse, re-rank with the given ranker model (if any), filter and return one page of hits."""
        query, corrected = self.spelled(query)
        lists, fused = self.candidates(query)
        if model is not None:
            reranked = model.rerank(self.describe(query.text, fused[: model.depth]), lists)
            fused = reranked + fused[len(reranked) :]
        fused = pinned_photo_match(fused, lists.get("image", []))
        ordered = fused
        if query.sort != "relevance":
            ordered = self._sorted_by_price(fused[:SORT_POOL], descending=query.sort == "price_desc")
        hits = self.hits(ordered[query.offset : query.offset + query.k], lists)
        if query.text.strip():
            tokens = understand(query.text).tokens
            hits = [replace(hit, highlights=tuple(highlight_spans(hit.product.title, tokens))) for hit in hits]
        facets = self._facets(query, [key for key, _ in fused])
        took = (time.perf_counter() - started) * 1000
        return SearchResult(hits, len(fused), round(took, 2), facets, corrected, tuple(fused[:LEADERS]))

    def _facets(self, query: Query, keys: list[int]) -> dict[str, object]:
        """Exact facet counts over every answer; a field with values chosen is counted as if nothing were chosen
        in it (the other filters still apply), so choosing "Red" keeps "Blue (12)" in view."""
        facets = self.store.facets(keys)
        attributes = facets["attributes"]
        for chosen in query.filters.fields():
            _, others = self.candidates(replace(query, filters=query.filters.without(chosen)))
            counts = self.store.facet_counts([key for key, _ in others], chosen)
            if chosen in ("category", "brand"):
                facets[chosen] = counts
            elif isinstance(attributes, dict):
                attributes[chosen] = counts
        return facets

    def hits(self, ranked: list[tuple[int, float]], lists: dict[str, Hits]) -> list[Hit]:
        """Hits for ranked keys, each with the score every signal gave it."""
        stored = self.store.get_many([key for key, _ in ranked])
        per_signal = {name: dict(found) for name, found in lists.items()}
        return [
            Hit(
                key,
                stored[key].product,
                score,
                {name: round(found[key], 4) for name, found in per_signal.items() if key in found},
                stored[key].image_count,
            )
            for key, score in ranked
            if key in stored
        ]

    def taste_vector(self, key: int) -> np.ndarray | None:
        """The vector a product contributes to (and is compared with) shopper taste."""
        if self.encoder.cross_modal:
            found = self.indexes.joint_image.vector(key)
            return found if found is not None else self.indexes.joint_text.vector(key)
        return self.indexes.text.vector(key)

    def _personal(self, lists: dict[str, Hits], profile: Profile) -> Hits:
        """Every candidate, ordered by the shopper's affinity to it."""
        candidates = list(dict.fromkeys(key for hits in lists.values() for key, _ in hits))
        vectors = {key: v for key in candidates if (v := self.taste_vector(key)) is not None}
        if not vectors:
            return []
        keys = list(vectors)
        scores = profile.affinity(np.stack([vectors[k] for k in keys]))
        order = np.argsort(-scores, kind="stable")
        return [(keys[i], float(scores[i])) for i in order]

    def _sorted_by_price(self, fused: list[tuple[int, float]], descending: bool) -> list[tuple[int, float]]:
        """The most relevant candidates re-ordered by price; products without a price go last."""
        products = self.store.get_many([key for key, _ in fused])
        priced = [(key, score, products[key].product.price) for key, score in fused if key in products]
        with_price = sorted((p for p in priced if p[2] is not None), key=lambda p: p[2] or 0.0, reverse=descending)
        return [(key, score) for key, score, _ in with_price + [p for p in priced if p[2] is None]]
