"""Ray Data ingest on a local two-worker cluster gives the same index as local ingest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.search.engine import Query

from .conftest import write_image

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.models


def test_ray_ingest_matches_local_ingest(tmp_path: Path) -> None:
    from shopseek.cluster.ray_ingest import ray_ingest

    lines = []
    for number, colour in enumerate(["red", "blue", "green", "black"] * 3):
        write_image(tmp_path / f"{number}.png", colour)
        lines.append(
            json.dumps({"id": f"p{number}", "title": f"{colour} shirt number {number}", "images": [f"{number}.png"]})
        )
    lines.append("{broken")
    (tmp_path / "c.jsonl").write_text("\n".join(lines))

    local = ShopSeek(tmp_path / "local")
    local.ingest(read_catalog(tmp_path / "c.jsonl"))
    distributed = ShopSeek(tmp_path / "ray")
    try:
        report = ray_ingest(distributed, read_catalog(tmp_path / "c.jsonl"), "local", workers=2)
    finally:
        ray.shutdown()
    assert report.added == 12 and len(report.problems) == 1
    assert distributed.count() == 12
    for product_id in ("p0", "p7"):
        key_a, key_b = local.store.key_of(product_id), distributed.store.key_of(product_id)
        assert key_a is not None and key_b is not None
        assert np.allclose(local.indexes.text.vector(key_a), distributed.indexes.text.vector(key_b), atol=1e-5)
        assert np.allclose(local.indexes.image.vector(key_a), distributed.indexes.image.vector(key_b), atol=1e-4)
    assert distributed.search(Query("green shirt number 2", k=1)).hits[0].product.id == "p2"
