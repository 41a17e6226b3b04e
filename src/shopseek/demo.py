"""The demo catalogue shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_catalog() -> Path:
    """Path of the bundled demo catalogue (DummyJSON products and a slice of the fashion set)."""
    return Path(str(resources.files("shopseek").joinpath("demo/catalog.jsonl")))
