"""`serve --ray` on a local cluster: sharded index actors behind Ray Serve replicas answer like one process."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.search.engine import Query

from .conftest import write_image

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")
pytestmark = pytest.mark.models
PORT = 8765


def test_sharded_serving_matches_one_process_and_takes_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shopseek.cluster.ray_serve import serve_on_ray

    monkeypatch.setenv("SHOPSEEK_API_KEY", "k")
    lines = []
    for number, colour in enumerate(["red", "blue", "green", "black"] * 3):
        write_image(tmp_path / f"{number}.png", colour)
        title = f"{colour} shirt number {number}"
        lines.append(json.dumps({"id": f"p{number}", "title": title, "price": number, "images": [f"{number}.png"]}))
    (tmp_path / "c.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index")
    shop.ingest(read_catalog(tmp_path / "c.jsonl"))
    expected = [h.product.id for h in shop.search(Query("green shirt", k=5, learned_ranking=False)).hits]
    shop.close()
    try:
        url = serve_on_ray(tmp_path / "index", "local", shards=2, replicas=1, host="127.0.0.1", port=PORT,
                           blocking=False)  # fmt: skip
        with httpx.Client(base_url=url, timeout=60, headers={"Authorization": "Bearer k"}) as client:
            response = client.get("/search", params={"q": "green shirt", "k": 5})
            assert response.status_code == 200, response.text
            found = response.json()
            assert [hit["id"] for hit in found["results"]] == expected, found
            assert client.get("/products/p3/similar", params={"k": 3}).status_code == 200
            added = client.post("/products", json=[{"id": "new1", "title": "purple velvet scarf"}])
            assert added.status_code in (200, 201), added.text
            hits = client.get("/search", params={"q": "purple velvet scarf", "k": 1}).json()["results"]
            assert hits[0]["id"] == "new1"
            assert client.delete("/products/new1").status_code in (200, 204)
            after = client.get("/search", params={"q": "purple velvet scarf", "k": 3}).json()["results"]
            assert "new1" not in [hit["id"] for hit in after]
    finally:
        serve.shutdown()
        ray.shutdown()
