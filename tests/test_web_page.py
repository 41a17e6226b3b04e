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


def launch(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    )


def wait_for(condition, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    deadline = time.time() + seconds
    while not (found := condition()) and time.time() < deadline:
        time.sleep(0.05)
    return found


def test_search_photo_filter_and_product_page(server: tuple[str, ShopSeek], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, shop = server
    photo = write_image(tmp_path / "photo.png", "red", (224, 224))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        expect(page.locator("#home")).to_contain_text("Shop by category")  # a home page, not an empty panel
        expect(page.locator("#home .chips button", has_text="shirts")).to_be_visible()

        page.goto(f"{url}/?q=red%20shirt")
        expect(page.locator(".card").first).to_contain_text("Red cotton shirt")
        expect(page.locator(".card .title mark").first).to_have_text("Red")
        shown = page.locator("#results .card").count()
        batches = wait_for(lambda: [e for _, e in shop.events.all_events() if e.type == "impression"])
        assert len(batches) == shown and [e.value for e in batches] == list(range(1, shown + 1))  # one beacon

        like = page.locator(".card button[data-vote=like]").first
        dislike = page.locator(".card button[data-vote=dislike]").first
        like.click()
        expect(like).to_have_attribute("aria-pressed", "true")
        dislike.click()  # exclusive: the dislike replaces the like
        expect(like).to_have_attribute("aria-pressed", "false")
        expect(dislike).to_have_attribute("aria-pressed", "true")
        dislike.click()  # undone
        expect(dislike).to_have_attribute("aria-pressed", "false")

        def votes() -> list[str]:
            return [e.type for _, e in shop.events.all_events() if e.type in ("like", "dislike", "unvote")]

        assert wait_for(lambda: votes() == ["like", "dislike", "unvote"]), votes()
        assert [e.user_id[:2] for _, e in shop.events.all_events() if e.type == "like"] == ["s-"]  # server-issued

        page.fill("#q", "shirt")
        page.set_input_files("#photo", photo)
        expect(page.locator("#status")).to_contain_text("your photo")
        expect(page.locator(".card").first).to_contain_text("Red cotton shirt")
        page.click("#photo-clear")

        page.fill("#q", "shirt jeans shoes phone")
        page.click("button[type=submit]")
        page.locator("#facet-brand a", has_text="Acme").click()
        expect(page.locator("#facet-brand a.active")).to_contain_text("Acme")
        titles = page.locator("#results .card .title").all_inner_texts()
        assert titles and all(t in ("Red cotton shirt", "Green running shoes") for t in titles)
        assert "brand=Acme" in page.url
        page.go_back()  # Back steps through searches
        expect(page.locator("#facet-brand a.active")).to_have_count(0)
        assert "brand=Acme" not in page.url and "shirt+jeans+shoes" in page.url

        page.locator("#results .card", has_text="Smartphone").first.click()
        expect(page.locator("#product-body h2")).to_be_visible()
        expect(page.locator("#product-body")).to_contain_text("Similar products")
        page.fill(".ask input", "is it a phone for everyone?")
        page.click(".ask button")
        expect(page.locator(".answers li").first).to_contain_text("A phone for everyone (description)")
        page.click("#product-close")

        page.fill("#q", "qqqzzzxxx")
        page.click("button[type=submit]")
        expect(page.locator("#status")).to_contain_text("0 results")
        expect(page.locator(".empty")).to_contain_text("No products match")

        page.route("**/search?*", lambda route: route.abort())  # the server goes away
        page.fill("#q", "jeans")
        page.click("button[type=submit]")
        expect(page.locator("#banner")).to_contain_text("unavailable")
        expect(page.locator("#results .card, #for-you .card")).to_have_count(0)  # no stale results under the error
        page.unroute("**/search?*")

        page.goto(f"{url}/?q=evil%20shirt")
        expect(page.locator("#results .card .title", has_text="Evil shirt")).to_contain_text("<img src=x")
        assert page.evaluate("window.__xss") is None
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-1400.png"), full_page=True)
        browser.close()


def test_the_page_works_on_a_phone(server: tuple[str, ShopSeek]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page.goto(f"{url}/?q=shirt%20jeans%20shoes")
        expect(page.locator(".card").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
        for control in ("button[type=submit]", "label.upload", "#filters-open"):
            box = page.locator(control).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, control
        first_card = page.locator(".card").first.bounding_box()
        assert first_card is not None and first_card["y"] < 844  # the first product is above the fold
        expect(page.locator("#filters")).to_be_hidden()  # filters wait in a drawer
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-390-results.png"))
        page.click("#filters-open")
        expect(page.locator("#facet-brand")).to_be_visible()
        page.locator("#facet-brand a", has_text="Acme").click()
        expect(page.locator("#filters")).to_be_hidden()
        page.locator(".card").first.click()
        expect(page.locator("#product")).to_be_visible()  # opens after the product is fetched
        dialog = page.locator("#product").bounding_box()
        assert dialog is not None and dialog["width"] <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-page-390.png"), full_page=True)
        browser.close()
