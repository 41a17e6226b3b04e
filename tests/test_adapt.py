"""Adapting the cross-modal heads to one shop's own text ↔ photo pairs (fake encoder, tiny random heads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from shopseek.app import SHOP_HEADS, ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.encoders.base import ENCODERS, Encoder
from shopseek.encoders.heads import AlignmentHeads, CrossModal, HeadsConfig
from shopseek.errors import NotEnoughData
from shopseek.learn.adapt import AdaptConfig, adapt

from .conftest import COLOURS, write_image


def encoder_with_random_heads() -> Encoder:
    torch.manual_seed(0)  # the same "random" heads every run
    encoder = ENCODERS["fake"]()
    config = HeadsConfig(
        text_dim=encoder.text_dim, image_dim=encoder.image_dim, hidden=32, joint_dim=16, match_hidden=16
    )
    encoder.cross_modal = CrossModal(AlignmentHeads(config).eval(), "random")
    return encoder


def shop_of(tmp_path: Path, count: int) -> ShopSeek:
    lines = []
    for n in range(count):
        colour = list(COLOURS)[n % len(COLOURS)]
        image = write_image(tmp_path / "img" / f"{colour}.png", colour)
        lines.append(json.dumps({"id": f"p{n}", "title": f"{colour} item", "images": [image]}))
    (tmp_path / "shop.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index", encoder=encoder_with_random_heads())
    shop.ingest(read_catalog(tmp_path / "shop.jsonl"))
    return shop


def test_adapting_raises_own_photo_retrieval_and_the_index_uses_the_new_heads(tmp_path: Path) -> None:
    shop = shop_of(tmp_path, 120)
    heads, card = adapt(shop, AdaptConfig(epochs=15, batch_size=32, learning_rate=3e-3))
    before, after = card["before"], card["after"]
    assert card["best_epoch"] > 0 and after["dev"]["MRR"] > before["dev"]["MRR"]  # type: ignore[index]
    assert after["test"]["MRR"] > before["test"]["MRR"]  # type: ignore[index]
    path = tmp_path / "index" / SHOP_HEADS
    path.parent.mkdir()
    heads.save(path)
    shop.close()
    reopened = ShopSeek(tmp_path / "index", encoder=encoder_with_random_heads())
    assert reopened.settings.joint_version.startswith("alignment:")  # joint vectors recomputed with the shop's heads
    reopened.close()


def test_a_shop_with_too_few_pairs_is_told_so(tmp_path: Path) -> None:
    shop = shop_of(tmp_path, 8)
    with pytest.raises(NotEnoughData, match="adapting needs"):
        adapt(shop, AdaptConfig(epochs=1))
    shop.close()
