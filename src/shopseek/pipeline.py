"""The ingest pipeline's pure half: decode media and encode a batch of products (runs locally or on Ray workers)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from shopseek.catalog.media import BadMedia, load_image, sample_video_frames, thumbnail_jpeg
from shopseek.catalog.readers import ReadItem, ReadProblem
from shopseek.catalog.schema import Product
from shopseek.encoders.base import Encoder, normalize

VIDEO_FRAMES = 4
MEDIA_THREADS = 8


@dataclass
class EncodedBatch:
    """Products ready to write: image copies, text vectors (text products) and pooled image vectors."""

    products: list[Product] = field(default_factory=list)
    copies: list[list[bytes]] = field(default_factory=list)
    text_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    has_text: list[bool] = field(default_factory=list)
    image_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    visual_words: np.ndarray | None = None  # per product with images, when the encoder has visual words
    has_image: list[bool] = field(default_factory=list)
    images: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    read: int = 0

    def packed(self) -> list[bytes]:
        """Each product's vectors as bytes for the store's journal (float16), so recovery needs no encoder."""
        text, image = iter(self.text_vectors), iter(self.image_vectors)
        words = iter(self.visual_words if self.visual_words is not None else [])
        blobs = []
        for has_text, has_image in zip(self.has_text, self.has_image, strict=True):
            has_words = has_image and self.visual_words is not None
            parts = [next(text)] if has_text else []
            parts += [next(image)] if has_image else []
            parts += [next(words)] if has_words else []
            flags = bytes([has_text, has_image, has_words])
            blobs.append(flags + np.concatenate(parts or [np.zeros(0)]).astype(np.float16).tobytes())
        return blobs

    @classmethod
    def unpacked(cls, products: list[Product], blobs: list[bytes], text_dim: int, image_dim: int) -> EncodedBatch:
        """The batch `packed` wrote (its vectors rounded to float16)."""
        texts: list[np.ndarray] = []
        images: list[np.ndarray] = []
        words: list[np.ndarray] = []
        has_text, has_image = [], []
        for blob in blobs:
            flags, values = blob[:3], np.frombuffer(blob[3:], dtype=np.float16).astype(np.float32)
            position = 0
            for present, dim, out in (
                (flags[0], text_dim, texts),
                (flags[1], image_dim, images),
                (flags[2], text_dim, words),
            ):
                if present:
                    out.append(values[position : position + dim])
                    position += dim
            has_text.append(bool(flags[0]))
            has_image.append(bool(flags[1]))
        stack = lambda rows, dim: np.stack(rows) if rows else np.zeros((0, dim), np.float32)  # noqa: E731
        return cls(
            products=products,
            copies=[[] for _ in products],
            text_vectors=stack(texts, text_dim),
            has_text=has_text,
            image_vectors=stack(images, image_dim),
            visual_words=stack(words, text_dim) if words else None,
            has_image=has_image,
            read=len(products),
        )


def load_media(item: ReadItem, problems: list[ReadProblem]) -> list[Image.Image] | None:
    """Decode a product's images and video frames; None when the product has nothing usable at all."""
    images: list[Image.Image] = []
    for source in item.product.images:
        try:
            images.append(load_image(source))
        except BadMedia as exc:
            problems.append(ReadProblem(item.line, f"unreadable image {exc}", item.product.id))
    if item.product.video:
        try:
            images += sample_video_frames(item.product.video, VIDEO_FRAMES)
        except BadMedia as exc:
            problems.append(ReadProblem(item.line, str(exc), item.product.id))
    if not images and not item.product.has_text:
        problems.append(ReadProblem(item.line, "no text and no readable image: skipped", item.product.id))
        return None
    return images


def encode_products(encoder: Encoder, products: Sequence[Product], media: Sequence[list[Image.Image]]) -> EncodedBatch:
    """Encode products whose media are already decoded."""
    has_text = [p.has_text for p in products]
    texts = [p.passage_text() for p, keep in zip(products, has_text, strict=True) if keep]
    image_vectors, visual_words = encode_media(encoder, media)
    return EncodedBatch(
        products=list(products),
        copies=[[thumbnail_jpeg(image) for image in images] for images in media],
        text_vectors=encoder.encode_texts(texts, "passage"),
        has_text=has_text,
        image_vectors=image_vectors,
        visual_words=visual_words,
        has_image=[bool(images) for images in media],
        images=sum(len(images) for images in media),
    )


def pooled_per_product(vectors: np.ndarray, media: Sequence[list[Image.Image]], dim: int) -> np.ndarray:
    """One unit vector per product that has images: the mean of its images' vectors."""
    pooled, start = [], 0
    for images in media:
        if images:
            pooled.append(normalize(vectors[start : start + len(images)].mean(axis=0)))
            start += len(images)
    return np.stack(pooled) if pooled else np.zeros((0, dim), np.float32)


def encode_media(encoder: Encoder, media: Sequence[list[Image.Image]]) -> tuple[np.ndarray, np.ndarray | None]:
    """Pooled image vectors and visual-words vectors (None without visual words) of the products with images."""
    flat = [image for images in media for image in images]
    image_vectors = pooled_per_product(encoder.encode_images(flat), media, encoder.image_dim)
    if not encoder.visual_words_version:
        return image_vectors, None
    return image_vectors, pooled_per_product(encoder.encode_visual_words(flat), media, encoder.text_dim)


def encode_batch(encoder: Encoder, batch: Sequence[ReadItem]) -> EncodedBatch:
    """Decode media (threads, it is I/O) and encode a batch of read products; problems are collected."""
    problems: list[ReadProblem] = []
    with ThreadPoolExecutor(max_workers=MEDIA_THREADS) as pool:
        loaded = list(pool.map(lambda item: load_media(item, problems), batch))
    ready = [(item.product, media) for item, media in zip(batch, loaded, strict=True) if media is not None]
    encoded = encode_products(encoder, [p for p, _ in ready], [m for _, m in ready])
    encoded.problems = problems
    encoded.read = len(batch)
    return encoded
