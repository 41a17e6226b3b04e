"""Fetching catalogue media from URLs: only public hosts, every redirect re-checked, a deadline, one message."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from shopseek.catalog import media
from shopseek.catalog.media import FETCH_FAILED, read_source
from shopseek.errors import BadMedia

LOOPBACK_SPELLINGS = ["localhost", "127.0.0.1", "127.1", "0x7f000001", "2130706433", "[::1]", "0.0.0.0"]
PRIVATE = ["10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254", "[fe80::1]", "224.0.0.1"]


class Handler(http.server.BaseHTTPRequestHandler):
    """/image: bytes; /redirect: to /image; /trickle: a byte a second, forever."""

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/image")
            self.end_headers()
        elif self.path == "/trickle":
            self.send_response(200)
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret internal page")

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS + PRIVATE)
def test_loopback_and_private_hosts_are_refused_in_every_spelling(host: str) -> None:
    with pytest.raises(BadMedia) as refused:
        read_source(f"http://{host}:9/x.jpg")
    assert str(refused.value) == FETCH_FAILED


def test_a_local_server_is_refused_with_the_same_message_as_a_closed_port(server: str) -> None:
    messages = set()
    for url in (f"{server}/image", "http://127.0.0.1:9/image"):
        with pytest.raises(BadMedia) as refused:
            read_source(url)
        messages.add(str(refused.value))
    assert messages == {FETCH_FAILED}


def test_every_redirect_is_checked_again(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []

    def first_hop_only(url):  # type: ignore[no-untyped-def]
        checked.append(str(url))
        return len(checked) == 1  # the start URL passes; where it redirects to (loopback) does not

    monkeypatch.setattr(media, "public_host", first_hop_only)
    with pytest.raises(BadMedia):
        read_source(f"{server}/redirect")
    assert checked == [f"{server}/redirect", f"{server}/image"]


def test_a_trickling_server_is_cut_off_at_the_deadline(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_FETCH_PRIVATE", "1")
    monkeypatch.setattr(media, "FETCH_DEADLINE_S", 2.0)
    started = time.monotonic()
    with pytest.raises(BadMedia):
        read_source(f"{server}/trickle")
    assert time.monotonic() - started < 5
    assert read_source(f"{server}/redirect") == b"secret internal page"  # allowed by the setting, redirect followed
