"""Train the cross-modal heads on product data: multi-positive InfoNCE for the shared space, BCE for matching."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from shopseek.encoders.base import Encoder
from shopseek.encoders.heads import AlignmentHeads, HeadsConfig, every_core
from shopseek.eval.metrics import evaluate
from shopseek.lab.attribute_queries import AttributeQuery, build_queries, relevance
from shopseek.lab.fashion import FashionProduct, extract_images, load_products, split_of
from shopseek.lab.photo_views import studio_view
from shopseek.lab.synthetic_queries import queries_for
from shopseek.learn.features import cached, image_vectors, query_vectors

Progress = Callable[[str, int, int], None]
QUERIES_PER_PRODUCT = 6
VIEWS = ("thumbnail", "photo", "studio")  # the catalogue's 60x80 thumbnail; the 224 px photo (the thumbnail when
# there is none); that photo's product on a grey or tinted studio backdrop (lab/photo_views.py)


@dataclass
class SplitData:
    """Frozen features of one split."""

    products: list[FashionProduct]
    images: np.ndarray  # (n, VIEWS, image_dim): see VIEWS
    titles: np.ndarray
    queries: np.ndarray  # (n, QUERIES_PER_PRODUCT, text_dim)
    keys: np.ndarray
    kinds: np.ndarray
    colours: np.ndarray


@dataclass
class TrainConfig:
    """Training settings; seeds fixed so a run is reproducible."""

    epochs: int = 30
    batch_size: int = 512
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    match_weight: float = 0.5
    partial_credit: float = 0.0
    seed: int = 0


def attribute_key(product: FashionProduct) -> tuple[str, str, str]:
    """What relevance is judged by: type, colour and gender."""
    return (product.article_type, product.colour, product.gender)


def prepare(data: Path, cache: Path, encoder: Encoder, split: str, progress: Progress | None = None) -> SplitData:
    """Features of one split of the fashion set, cached under `cache`."""
    products = [p for p in load_products(data) if split_of(p.id) == split]
    images_root = extract_images(data, cache / "images")

    def tick(label: str, total: int) -> Callable[[int], None] | None:
        if progress is None:
            return None
        done = [0]

        def advance(count: int) -> None:
            done[0] += count
            progress(label, done[0], total)

        return advance

    def photo(product: FashionProduct) -> Path:
        return images_root / ("images_224" if product.has_photo else "images") / f"{product.id}.jpg"

    def studio(image: Image.Image, product: FashionProduct) -> Image.Image:
        return studio_view(image, np.random.default_rng(int(hashlib.sha1(product.id.encode()).hexdigest()[:8], 16)))

    version = hashlib.sha1(encoder.image_version.encode()).hexdigest()[:8]
    sources = {
        "thumbnail": ([images_root / "images" / f"{p.id}.jpg" for p in products], None),
        "photo": ([photo(p) for p in products], None),
        "studio": ([photo(p) for p in products], studio),
    }

    def encoded(view: str) -> np.ndarray:
        paths, render = sources[view]
        return cached(
            cache / f"{split}-{view}-{encoder.image_dim}d-{version}.npy",
            lambda: image_vectors(encoder, paths, render, products, tick(f"{split} {view} images", len(products))),
        )

    images = np.stack([encoded(view) for view in VIEWS], axis=1)
    titles = cached(
        cache / f"{split}-titles.npy",
        lambda: encoder.encode_texts([p.title for p in products], "passage", tick(f"{split} titles", len(products))),
    )
    texts = [q for p in products for q in queries_for(p, QUERIES_PER_PRODUCT, seed=11)]
    unique = sorted(set(texts))
    position = {t: n for n, t in enumerate(unique)}
    vectors = cached(
        cache / f"{split}-queries.npy",
        lambda: query_vectors(encoder, unique, tick(f"{split} queries", len(unique))),
    )
    queries = vectors[[position[t] for t in texts]].reshape(len(products), QUERIES_PER_PRODUCT, -1)
    return SplitData(products, images, titles, queries, *attribute_ids(products))


def without_categories(data: SplitData, categories: frozenset[str]) -> SplitData:
    """A split without the products of some master categories (to test on categories never trained on)."""
    if not categories:
        return data
    rows = np.array([i for i, p in enumerate(data.products) if p.master_category not in categories], dtype=np.int64)
    products = [data.products[i] for i in rows]
    return SplitData(products, data.images[rows], data.titles[rows], data.queries[rows], *attribute_ids(products))


def combine(*parts: SplitData) -> SplitData:
    """Several splits as one training set, with attribute ids renumbered across them."""
    products = [p for part in parts for p in part.products]
    return SplitData(
        products,
        np.concatenate([part.images for part in parts]),
        np.concatenate([part.titles for part in parts]),
        np.concatenate([part.queries for part in parts]),
        *attribute_ids(products),
    )


def attribute_ids(products: list[FashionProduct]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per product, ids (in order of first appearance) of its type+colour+gender, its type and its colour."""

    def ids(values: list[object]) -> np.ndarray:
        numbering: dict[object, int] = {}
        return np.array([numbering.setdefault(value, len(numbering)) for value in values])

    return (
        ids([attribute_key(p) for p in products]),
        ids([p.article_type for p in products]),
        ids([p.colour for p in products]),
    )


def soft_cross_entropy(logits: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a uniform distribution over each row's positives (multi-positive InfoNCE)."""
    targets = positives / positives.sum(dim=1, keepdim=True)
    return -(targets * logits.log_softmax(dim=1)).sum(dim=1).mean()


def batch_loss(
    heads: AlignmentHeads, batch: dict[str, torch.Tensor], match_weight: float, partial_credit: float = 0.0
) -> torch.Tensor:
    """Contrastive loss (query↔image, title↔image, query↔title) plus BCE on hard-negative matching pairs.

    Products with the same type+colour+gender are full positives; with `partial_credit`, products of the same
    type that share the colour get that much weight as targets too (graded relevance, like the shopper's).
    """
    image = heads.embed_image(batch["images"])
    query = heads.embed_text(batch["queries"])
    title = heads.embed_text(batch["titles"])
    same = (batch["keys"][:, None] == batch["keys"][None, :]).float()
    if partial_credit:
        same_kind = batch["kinds"][:, None] == batch["kinds"][None, :]
        same_colour = batch["colours"][:, None] == batch["colours"][None, :]
        same = torch.maximum(same, partial_credit * (same_kind & same_colour).float())
        same = torch.maximum(same, 0.5 * partial_credit * same_kind.float())
    scale = heads.log_scale.exp().clamp(max=100)
    loss = torch.zeros((), dtype=torch.float32)
    for left, right in ((query, image), (title, image), (query, title)):
        logits = scale * left @ right.T
        loss = loss + soft_cross_entropy(logits, same) + soft_cross_entropy(logits.T, same)
    exact = (batch["keys"][:, None] == batch["keys"][None, :]).float()
    with torch.no_grad():
        similarity = (query @ image.T).masked_fill(exact.bool(), -2.0)
        hardest = similarity.argmax(dim=1)
    random_negative = torch.randperm(len(image))
    text_side = torch.cat([query, query, query]).detach()
    image_side = torch.cat([image, image[hardest], image[random_negative]]).detach()
    labels = torch.cat(
        [torch.ones(len(image)), torch.zeros(len(image)), same[torch.arange(len(image)), random_negative]]
    )
    match = nn.functional.binary_cross_entropy_with_logits(heads.match_logit(text_side, image_side), labels)
    return loss / 6 + match_weight * match


def sample_batches(data: SplitData, size: int, rng: np.random.Generator) -> list[dict[str, torch.Tensor]]:
    """One epoch of shuffled batches, each product with one of its queries and one view of its photo drawn at
    random."""
    order = rng.permutation(len(data.products))
    picks = rng.integers(0, QUERIES_PER_PRODUCT, len(order))
    views = rng.integers(0, data.images.shape[1], len(order))
    batches = []
    for start in range(0, len(order) - size + 1, size):
        rows = order[start : start + size]
        batches.append(
            {
                "images": torch.from_numpy(data.images[rows, views[start : start + size]]),
                "titles": torch.from_numpy(data.titles[rows]),
                "queries": torch.from_numpy(data.queries[rows, picks[start : start + size]]),
                "keys": torch.from_numpy(data.keys[rows]),
                "kinds": torch.from_numpy(data.kinds[rows]),
                "colours": torch.from_numpy(data.colours[rows]),
            }
        )
    return batches


@torch.inference_mode()
def retrieval_ndcg(
    heads: AlignmentHeads, data: SplitData, queries: list[AttributeQuery], vectors: np.ndarray, view: int = 0
) -> dict[str, float]:
    """nDCG@10 of query → product-image retrieval in the joint space (one view of the photos), overall and per
    language."""
    heads.eval()
    images = heads.embed_image(torch.from_numpy(np.ascontiguousarray(data.images[:, view]))).numpy()
    joint = heads.embed_text(torch.from_numpy(vectors)).numpy()
    scores = joint @ images.T
    run, qrels = {}, {}
    for row, query in enumerate(queries):
        top = np.argsort(-scores[row])[:100]
        run[query.qid] = {data.products[i].id: float(scores[row, i]) for i in top}
        qrels[query.qid] = {p.id: g for p in data.products if (g := relevance(query, p))}
    out = {}
    for language in ("all", "en", "zh"):
        subset = [q.qid for q in queries if language in ("all", q.language)]
        out[language] = evaluate({q: qrels[q] for q in subset}, {q: run[q] for q in subset}, ["nDCG@10"])["nDCG@10"]
    return out


def views_ndcg(
    heads: AlignmentHeads, data: SplitData, queries: list[AttributeQuery], vectors: np.ndarray
) -> tuple[dict[str, float], dict[str, float]]:
    """nDCG@10 overall and per language averaged over the photo views, and nDCG@10 of each view."""
    per_view = {view: retrieval_ndcg(heads, data, queries, vectors, n) for n, view in enumerate(VIEWS)}
    mean = {k: float(np.mean([scores[k] for scores in per_view.values()])) for k in ("all", "en", "zh")}
    return mean, {view: scores["all"] for view, scores in per_view.items()}


def dev_queries(data: SplitData, count: int = 150, seed: int = 2) -> list[AttributeQuery]:
    """Checkpoint-selection queries on dev products, phrased as shoppers do (not as the training queries are).

    Selecting on the training phrasing picked later epochs that did worse on natural phrasing (see the model card).
    """
    return build_queries(data.products, count, seed=seed)


@every_core()
def train(
    train_data: SplitData,
    dev: SplitData,
    dev_set: tuple[list[AttributeQuery], np.ndarray],
    config: TrainConfig,
    progress: Callable[[int, dict[str, float]], None] | None = None,
    select: bool = True,
) -> tuple[AlignmentHeads, dict[str, object]]:
    """Train heads; keep the checkpoint with the best dev nDCG@10 averaged over the photo views (or the last one
    when `select` is off)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    heads = AlignmentHeads(HeadsConfig(text_dim=train_data.titles.shape[1], image_dim=train_data.images.shape[2]))
    optimiser = torch.optim.AdamW(heads.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    best: tuple[float, dict[str, torch.Tensor], int, dict[str, float]] = (-1.0, {}, -1, {})
    history = []
    started = time.perf_counter()
    for epoch in range(config.epochs):
        heads.train()
        losses = []
        for batch in sample_batches(train_data, config.batch_size, rng):
            loss = batch_loss(heads, batch, config.match_weight, config.partial_credit)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        schedule.step()
        scores, per_view = views_ndcg(heads, dev, *dev_set)
        history.append(
            {
                "epoch": epoch + 1,
                "loss": round(float(np.mean(losses)), 4),
                **{f"dev_{k}": round(v, 4) for k, v in scores.items()},
                **{f"dev_{view}": round(v, 4) for view, v in per_view.items()},
            }
        )
        if progress:
            progress(epoch + 1, history[-1])
        if scores["all"] > best[0] or not select:
            best = (scores["all"], {k: v.clone() for k, v in heads.state_dict().items()}, epoch + 1, scores)
    heads.load_state_dict(best[1])
    heads.eval()
    summary = {
        "best_epoch": best[2],
        "dev_ndcg@10": best[3],
        "history": history,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return heads, summary


def test_report(heads: AlignmentHeads, test: SplitData, encoder: Encoder) -> dict[str, object]:
    """Held-out numbers: images-only retrieval with the test phrasing, and matching-head AUC/F1."""
    queries = build_queries(test.products, 150, seed=1)
    vectors = query_vectors(encoder, [q.text for q in queries])
    ndcg, per_view = views_ndcg(heads, test, queries, vectors)
    return {
        "images_only_ndcg@10": {k: round(v, 4) for k, v in ndcg.items()},
        "images_only_ndcg@10_per_view": {view: round(v, 4) for view, v in per_view.items()},
        "matching": matching_scores(heads, test),
    }


@torch.inference_mode()
def matching_scores(heads: AlignmentHeads, data: SplitData, pairs: int = 4000, seed: int = 0) -> dict[str, float]:
    """AUC and F1 (at 0.5) of the matching head on labelled (query, product image) pairs of a split."""
    from sklearn.metrics import f1_score, roc_auc_score

    rng = np.random.default_rng(seed)
    left = rng.integers(0, len(data.products), pairs)
    right = np.where(rng.random(pairs) < 0.5, left, rng.integers(0, len(data.products), pairs))
    labels = (data.keys[left] == data.keys[right]).astype(int)
    query = heads.embed_text(torch.from_numpy(data.queries[left, rng.integers(0, QUERIES_PER_PRODUCT, pairs)]))
    image = heads.embed_image(torch.from_numpy(data.images[right, 0]))
    probability = torch.sigmoid(heads.match_logit(query, image)).numpy()
    return {
        "auc": round(float(roc_auc_score(labels, probability)), 4),
        "f1": round(float(f1_score(labels, probability > 0.5)), 4),
        "pairs": pairs,
    }


def write_card(path: Path, card: dict[str, object]) -> None:
    """Write the model card as JSON beside the weights."""
    path.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
