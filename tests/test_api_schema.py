"""Schemathesis against the OpenAPI schema: generated requests never get a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.encoders.base import ENCODERS
from shopseek.service.api import create_app

from .conftest import write_image

FOLDER = tempfile.TemporaryDirectory(prefix="shopseek-schema-")  # removed when the test process ends


def build_app() -> object:
    """A two-product index with the fake encoder, in a temporary folder."""
    folder = Path(FOLDER.name)
    write_image(folder / "a.png", "red")
    (folder / "c.jsonl").write_text(
        '{"id": "a", "title": "Red shirt", "price": 10, "brand": "Acme", "images": ["a.png"]}\n'
        '{"id": "b", "title": "Blue jeans", "price": 30}\n'
    )
    shop = ShopSeek(folder / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(folder / "c.jsonl"))
    return create_app(shop)


schema = schemathesis.openapi.from_asgi("/openapi.json", build_app())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
