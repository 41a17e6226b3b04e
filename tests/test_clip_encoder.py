"""The `clip` encoder loads CLIP and Chinese-CLIP checkpoints from a local folder (tiny random ones written here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

transformers = pytest.importorskip("transformers")

TEXT = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 37}
VISION = {**TEXT, "image_size": 32, "patch_size": 8}


def save_tiny(folder: Path, processor: Any, config_class: Any, model_class: Any, vocab_size: int) -> Path:
    """Save a processor and a randomly initialised tiny model of the given CLIP family into `folder`."""
    processor.save_pretrained(folder)
    config = config_class(text_config={**TEXT, "vocab_size": vocab_size}, vision_config=VISION, projection_dim=16)
    model_class(config).save_pretrained(folder)
    return folder


def write_chinese_clip(folder: Path) -> Path:
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "红", "色", "衬", "衫", "red", "shirt", "蓝"]
    (folder / "vocab.txt").write_text("\n".join(vocab))
    tokenizer = transformers.BertTokenizer(str(folder / "vocab.txt"))
    images = transformers.ChineseCLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = transformers.ChineseCLIPProcessor(image_processor=images, tokenizer=tokenizer)
    return save_tiny(folder, processor, transformers.ChineseCLIPConfig, transformers.ChineseCLIPModel, len(vocab))


def write_clip(folder: Path) -> Path:
    vocab = [
        "l",
        "o",
        "w",
        "e",
        "r",
        "s",
        "t",
        "i",
        "d",
        "n",
        "lo",
        "l</w>",
        "w</w>",
        "r</w>",
        "t</w>",
        "low</w>",
        "er</w>",
        "lowest</w>",
        "newer</w>",
        "wider",
        "<unk>",
        "<|startoftext|>",
        "<|endoftext|>",
    ]
    (folder / "vocab.json").write_text(json.dumps({token: n for n, token in enumerate(vocab)}))
    (folder / "merges.txt").write_text("#version: 0.2\nl o\nlo w</w>\ne r</w>\n")
    tokenizer = transformers.CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
    images = transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = transformers.CLIPProcessor(image_processor=images, tokenizer=tokenizer)
    return save_tiny(folder, processor, transformers.CLIPConfig, transformers.CLIPModel, len(vocab))


@pytest.mark.parametrize("writer", [write_chinese_clip, write_clip])
def test_clip_checkpoint_loads_and_encodes(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    from shopseek.encoders.clip import ClipEncoder

    encoder = ClipEncoder(str(writer(tmp_path)))
    texts = encoder.encode_text_batch(["红色衬衫", "lower newer"], "query")
    images = encoder.encode_image_batch([Image.new("RGB", (50, 70), (200, 10, 10)), Image.new("RGB", (64, 64))])
    assert texts.shape == (2, 16) and images.shape == (2, 16)
    assert np.allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-5)
    assert encoder.cross_modal is not None and encoder.cross_modal.joint_dim == 16
    assert encoder.cross_modal.match(texts[0], images).shape == (2,)


def test_index_switches_to_clip_with_one_setting(tmp_path: Path) -> None:
    from shopseek.app import ShopSeek
    from shopseek.catalog.schema import Product
    from shopseek.config import Settings
    from shopseek.search.engine import Query

    (tmp_path / "ckpt").mkdir()
    checkpoint = write_chinese_clip(tmp_path / "ckpt")
    settings = Settings(encoder="clip", encoder_options={"path": str(checkpoint)})
    shop = ShopSeek(tmp_path / "index", settings=settings)
    photo = tmp_path / "red.png"
    Image.new("RGB", (40, 40), (200, 10, 10)).save(photo)
    shop.add_products(
        [Product(id="a", title="红色衬衫"), Product(id="b", title="lower"), Product(id="c", images=[str(photo)])]
    )
    hits = {hit.product.id: hit for hit in shop.search(Query("红色衬衫", k=3)).hits}
    assert next(iter(hits)) == "a"
    assert "cross_modal" in hits["c"].signals
    shop.close()


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    from shopseek.encoders.clip import ClipEncoder

    with pytest.raises(FileNotFoundError, match="no CLIP checkpoint"):
        ClipEncoder(str(tmp_path))
