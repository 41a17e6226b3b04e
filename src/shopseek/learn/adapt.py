"""Adapt the cross-modal heads to one shop: fine-tune the shipped heads on the shop's own product text ↔ photo
pairs (self-supervised: no labels) and on the searches whose shoppers engaged with a product (its click log).

Products are split by id (sha1 mod 10: 0-7 train, 8 dev, 9 test); the epoch is chosen on dev and the before/after
numbers are measured on test: for each test product's text, the rank of its own photo among the test photos.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from shopseek.app import ShopSeek
from shopseek.encoders.heads import AlignmentHeads, CrossModal, every_core
from shopseek.errors import NotEnoughData
from shopseek.feedback.events import ENGAGEMENT
from shopseek.learn.alignment import soft_cross_entropy

MIN_PRODUCTS = 30  # products with both text and photos needed to adapt at all


@dataclass
class Pairs:
    """Products with both text and a photo: their ids, text and image vectors, and duplicate-text groups."""

    ids: list[str]
    texts: np.ndarray
    images: np.ndarray
    groups: np.ndarray  # products with the same text vector share a group: each other's positives

    def subset(self, rows: np.ndarray) -> Pairs:
        """These rows only."""
        return Pairs([self.ids[i] for i in rows], self.texts[rows], self.images[rows], self.groups[rows])


@dataclass
class AdaptConfig:
    """Fine-tuning settings (small steps from the shipped heads, so what they know is kept)."""

    epochs: int = 20
    batch_size: int = 256
    learning_rate: float = 2e-4
    weight_decay: float = 1e-4
    match_weight: float = 0.5
    seed: int = 0


def split_of(product_id: str) -> str:
    """Deterministic split by product id: 80% train, 10% dev, 10% test (salted, so that a shop made of one split
    of a data set split the same way still gets all three)."""
    bucket = int(hashlib.sha1(f"adapt:{product_id}".encode()).hexdigest(), 16) % 10
    return "train" if bucket < 8 else "dev" if bucket == 8 else "test"


def shop_pairs(shop: ShopSeek) -> Pairs:
    """Every product of the shop that has both text and photos."""
    text_keys, texts = shop.indexes.text.export()
    image_keys, images = shop.indexes.image.export()
    image_row = {int(key): row for row, key in enumerate(image_keys)}
    both = [(row, image_row[int(key)]) for row, key in enumerate(text_keys) if int(key) in image_row]
    stored = shop.store.get_many([int(text_keys[row]) for row, _ in both])
    rows = [(t, i) for t, i in both if int(text_keys[t]) in stored]
    ids = [stored[int(text_keys[t])].product.id for t, _ in rows]
    text_matrix = texts[[t for t, _ in rows]] if rows else np.zeros((0, texts.shape[1]), np.float32)
    numbering: dict[bytes, int] = {}
    groups = np.array([numbering.setdefault(np.round(v, 4).tobytes(), len(numbering)) for v in text_matrix])
    image_matrix = images[[i for _, i in rows]] if rows else np.zeros((0, images.shape[1]), np.float32)
    return Pairs(ids, text_matrix, image_matrix, groups.astype(np.int64))


def click_pairs(shop: ShopSeek, train: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """(query vectors, train rows) of logged searches in which the shopper engaged with a train product."""
    row_of = {pid: row for row, pid in enumerate(train.ids)}
    found = [
        (event.query, row_of[event.product_id])
        for _, event in shop.events.all_events()
        if event.query and event.type in ENGAGEMENT and event.product_id in row_of
    ]
    if not found:
        return np.zeros((0, train.texts.shape[1]), np.float32), np.zeros(0, np.int64)
    vectors = shop.encoder.encode_texts([query for query, _ in found], "query")
    return vectors, np.array([row for _, row in found], dtype=np.int64)


@torch.inference_mode()
def own_photo_ranks(heads: AlignmentHeads, data: Pairs) -> dict[str, float]:
    """Text → photo among a split's products: MRR and Recall@10 of each product's own photo (or a twin's)."""
    if not len(data.ids):
        return {"MRR": 0.0, "R@10": 0.0, "products": 0}
    texts = heads.embed_text(torch.from_numpy(data.texts)).numpy()
    images = heads.embed_image(torch.from_numpy(data.images)).numpy()
    scores = texts @ images.T
    positives = data.groups[:, None] == data.groups[None, :]
    best_positive = np.where(positives, scores, -np.inf).max(axis=1)
    ranks = 1 + (np.where(positives, -np.inf, scores) > best_positive[:, None]).sum(axis=1)
    return {
        "MRR": round(float(np.mean(1.0 / ranks)), 4),
        "R@10": round(float(np.mean(ranks <= 10)), 4),
        "products": len(data.ids),
    }


def pair_loss(
    heads: AlignmentHeads, texts: torch.Tensor, images: torch.Tensor, groups: torch.Tensor, match_weight: float
) -> torch.Tensor:
    """Symmetric multi-positive InfoNCE between texts and photos, plus BCE matching on the hardest negatives."""
    text, image = heads.embed_text(texts), heads.embed_image(images)
    same = (groups[:, None] == groups[None, :]).float()
    logits = heads.log_scale.exp().clamp(max=100) * text @ image.T
    contrastive = (soft_cross_entropy(logits, same) + soft_cross_entropy(logits.T, same)) / 2
    with torch.no_grad():
        hardest = (text @ image.T).masked_fill(same.bool(), -2.0).argmax(dim=1)
    pairs_text = torch.cat([text, text])
    pairs_image = torch.cat([image, image[hardest]])
    labels = torch.cat([torch.ones(len(text)), torch.zeros(len(text))])
    match = torch.nn.functional.binary_cross_entropy_with_logits(heads.match_logit(pairs_text, pairs_image), labels)
    return contrastive + match_weight * match


@every_core()
def adapt(
    shop: ShopSeek,
    config: AdaptConfig,
    progress: Callable[[int, dict[str, float]], None] | None = None,
) -> tuple[AlignmentHeads, dict[str, object]]:
    """Fine-tune the shop's current heads on its own pairs; keep the epoch with the best dev MRR."""
    if shop.encoder.cross_modal is None or not isinstance(shop.encoder.cross_modal, CrossModal):
        raise NotEnoughData("this index's encoder has no trainable cross-modal heads")
    pairs = shop_pairs(shop)
    if len(pairs.ids) < MIN_PRODUCTS:
        raise NotEnoughData(f"{len(pairs.ids)} products have both text and photos; adapting needs {MIN_PRODUCTS}")
    splits = {
        name: pairs.subset(np.array([i for i, pid in enumerate(pairs.ids) if split_of(pid) == name], dtype=np.int64))
        for name in ("train", "dev", "test")
    }
    train = splits["train"]
    queries, query_rows = click_pairs(shop, train)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    heads = AlignmentHeads(shop.encoder.cross_modal.heads.config)
    heads.load_state_dict(shop.encoder.cross_modal.heads.state_dict())
    before = {name: own_photo_ranks(heads, split) for name, split in splits.items() if name != "train"}
    optimiser = torch.optim.AdamW(heads.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    texts = np.concatenate([train.texts, queries])
    rows = np.concatenate([np.arange(len(train.ids)), query_rows])
    size = min(config.batch_size, len(rows))
    best = (own_photo_ranks(heads, splits["dev"])["MRR"], {k: v.clone() for k, v in heads.state_dict().items()}, 0)
    history = []
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        heads.train()
        order = rng.permutation(len(rows))
        for start in range(0, len(order) - size + 1, size):
            batch = order[start : start + size]
            loss = pair_loss(
                heads,
                torch.from_numpy(texts[batch]),
                torch.from_numpy(train.images[rows[batch]]),
                torch.from_numpy(train.groups[rows[batch]]),
                config.match_weight,
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        heads.eval()
        dev = own_photo_ranks(heads, splits["dev"])
        history.append({"epoch": epoch, "dev_MRR": dev["MRR"]})
        if progress:
            progress(epoch, dev)
        if dev["MRR"] > best[0]:
            best = (dev["MRR"], {k: v.clone() for k, v in heads.state_dict().items()}, epoch)
    heads.load_state_dict(best[1])
    heads.eval()
    card: dict[str, object] = {
        "data": f"{shop.folder}: {len(pairs.ids)} products with text and photos, {len(queries)} engaged searches",
        "split": {name: len(split.ids) for name, split in splits.items()},
        "split_rule": "sha1(product id) mod 10: 0-7 train, 8 dev, 9 test",
        "measure": "text → photo among the split's products: MRR and Recall@10 of the product's own photo",
        "best_epoch": best[2],
        "before": before,
        "after": {name: own_photo_ranks(heads, split) for name, split in splits.items() if name != "train"},
        "history": history,
        "train_seconds": round(time.perf_counter() - started, 1),
        "config": config.__dict__,
    }
    return heads, card
