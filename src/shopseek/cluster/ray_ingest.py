"""Embed a catalogue across Ray workers with Ray Data; the driver writes the results into the index."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from typing import Any

from shopseek.app import INGEST_BATCH, IngestReport, ShopSeek
from shopseek.catalog.readers import ReadItem, ReadProblem
from shopseek.cluster.runtime import connect
from shopseek.encoders.base import get_encoder
from shopseek.pipeline import EncodedBatch, encode_batch


class EmbedWorker:
    """A Ray Data actor: loads the encoder once, then decodes media and encodes batches of products."""

    def __init__(self, encoder: str, options: dict[str, str]) -> None:
        self.encoder = get_encoder(encoder, **options)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[bytes]]:
        items = [pickle.loads(blob) for blob in batch["item"]]
        return {"encoded": [pickle.dumps(encode_batch(self.encoder, items))]}


def ray_ingest(
    shop: ShopSeek,
    items: Iterable[ReadItem | ReadProblem],
    address: str = "local",
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest with embedding spread over `workers` Ray actors; writes stay in this process (one writer)."""
    ray = connect(address, workers)
    report = IngestReport()
    readable = []
    for item in items:
        if isinstance(item, ReadProblem):
            report.problems.append(item)
        else:
            readable.append({"item": pickle.dumps(item)})
    if readable:
        dataset = ray.data.from_items(readable).map_batches(
            EmbedWorker,
            fn_constructor_args=(shop.settings.encoder, shop.settings.encoder_options),
            batch_size=INGEST_BATCH,
            concurrency=workers,
            num_cpus=1,
        )
        for row in dataset.iter_rows():
            encoded: EncodedBatch = pickle.loads(row["encoded"])
            shop.write_encoded(encoded, report, progress)
    shop.save()
    return report
