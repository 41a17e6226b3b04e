"""The web page in Debian's chromium (Playwright): search, photo upload, a filter, a product page, no HTML injection."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.encoders.base import ENCODERS
from shopseek.service.api import create_app

from .conftest import write_image

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (apt-get install chromium)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, tiny_catalog: Path) -> Iterator[tuple[str, ShopSeek]]:
    hostile = {"id": "x1", "title": '<img src=x onerror="window.__xss=1">Evil shirt', "price": 5}
    with tiny_catalog.open("a") as handle:
        handle.write(json.dumps(hostile) + "\n")
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    port = free_port()
    config = uvicorn.Config(create_app(shop), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not uvicorn_server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", shop
    uvicorn_server.should_exit = True
    thread.join(timeout=5)
    shop.close()


def test_search_photo_filter_and_product_page(server: tuple[str, ShopSeek], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, shop = server
    photo = write_image(tmp_path / "photo.png", "red", (224, 224))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page()
        page.goto(f"{url}/?q=red%20shirt")
        expect(page.locator(".card").first).to_contain_text("Red cotton shirt")
        page.locator(".card button[title=like]").first.click()
        deadline = time.time() + 5
        while not (likes := [e for _, e in shop.events.all_events() if e.type == "like"]) and time.time() < deadline:
            time.sleep(0.05)
        assert [(e.product_id, e.user_id[:2]) for e in likes] == [("p1", "s-")]  # as the server-issued shopper

        page.fill("#q", "shirt")
        page.set_input_files("#photo", photo)
        expect(page.locator("#status")).to_contain_text("your photo")
        expect(page.locator(".card").first).to_contain_text("Red cotton shirt")
        page.click("#photo-clear")

        page.fill("#q", "shirt jeans shoes")
        page.click("button[type=submit]")
        page.locator("#facet-brand a", has_text="Acme").click()
        expect(page.locator("#facet-brand a.active")).to_contain_text("Acme")
        titles = page.locator(".card .title").all_inner_texts()
        assert titles and all(t in ("Red cotton shirt", "Green running shoes") for t in titles)
        assert "brand=Acme" in page.url

        page.locator(".card").first.click()
        expect(page.locator("#product-body h2")).to_be_visible()
        expect(page.locator("#product-body")).to_contain_text("Similar products")

        page.goto(f"{url}/?q=evil%20shirt")
        expect(page.locator(".card .title", has_text="Evil shirt")).to_contain_text("<img src=x")
        assert page.evaluate("window.__xss") is None
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page.png"), full_page=True)
        browser.close()
