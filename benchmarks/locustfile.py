"""Locust load profile for the HTTP benchmark: 80% word searches, 20% photo searches."""

from __future__ import annotations

import os
import random
from pathlib import Path

from locust import HttpUser, between, task

QUERIES = Path(os.environ["SHOPSEEK_BENCH_QUERIES"]).read_text(encoding="utf-8").splitlines()
PHOTOS = [Path(p).read_bytes() for p in Path(os.environ["SHOPSEEK_BENCH_PHOTOS"]).read_text().splitlines()]


class Shopper(HttpUser):
    """A shopper searching by words most of the time and by photo sometimes."""

    wait_time = between(0.0, 0.1)

    @task(4)
    def words(self) -> None:
        """GET /search with a random attribute query."""
        self.client.get("/search", params={"q": random.choice(QUERIES), "k": 20}, name="/search words")

    @task(1)
    def photo(self) -> None:
        """POST /search with a random product photo."""
        files = {"image": ("photo.jpg", random.choice(PHOTOS), "image/jpeg")}
        self.client.post("/search", files=files, data={"k": "20"}, name="/search photo")
