"""Voice search: a recording becomes words (faster-whisper, offline), then the usual search; bad audio gets a 422."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shopseek.app import HOT_PHRASES, HOTWORDS, ShopSeek
from shopseek.catalog.readers import ReadItem, read_catalog
from shopseek.demo import demo_catalog
from shopseek.encoders.speech import MAX_SECONDS, SAMPLE_RATE, Transcriber, decode_audio
from shopseek.errors import BadMedia
from shopseek.search.terms import CatalogueTerms
from shopseek.service.api import create_app


def wav(samples: np.ndarray) -> bytes:
    """16-bit mono wav bytes of float samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


class HeardRedShirt(Transcriber):
    """A transcriber that hears "red shirt" in any audio it can decode (no model)."""

    def _heard(self, samples: np.ndarray, bias: list[str], beam_size: int) -> str:
        return "red shirt"


def test_a_recording_is_searched_as_its_words(fake_shop: ShopSeek) -> None:
    fake_shop.transcriber = HeardRedShirt()
    client = TestClient(create_app(fake_shop))
    tone = wav(0.3 * np.sin(np.linspace(0, 2000, SAMPLE_RATE)))
    body = client.post("/search", files={"audio": ("q.wav", tone, "audio/wav")}).json()
    assert body["transcript"] == "red shirt" and body["results"][0]["id"] == "p1"
    typed = client.get("/search", params={"q": "shirt"}).json()
    assert typed.get("transcript") is None


@pytest.mark.parametrize(
    ("audio", "reason"),
    [
        (b"", "empty audio"),
        (b"this is not audio", "not a readable audio file"),
        (wav(np.zeros(SAMPLE_RATE)), "no speech heard"),
        (wav(0.3 * np.sin(np.linspace(0, 9e4, int(SAMPLE_RATE * (MAX_SECONDS + 2))))), "longer than"),
    ],
)
def test_bad_recordings_get_a_clear_422(fake_shop: ShopSeek, audio: bytes, reason: str) -> None:
    client = TestClient(create_app(fake_shop))
    response = client.post("/search", files={"audio": ("q.wav", audio, "audio/wav")})
    assert response.status_code == 422 and reason in response.json()["error"]
    assert response.json()["error"].startswith("recording: ")


def test_decoding_refuses_what_is_not_audio() -> None:
    with pytest.raises(BadMedia, match="readable"):
        decode_audio(b"\x00" * 1000)


@pytest.mark.models
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")
def test_spoken_words_are_heard_with_the_demo_catalogues_words_and_phrases(tmp_path: Path) -> None:
    terms = CatalogueTerms()
    terms.add(p.product.naming_text() for p in read_catalog(demo_catalog()) if isinstance(p, ReadItem))
    recording = tmp_path / "red.wav"
    subprocess.run(["espeak-ng", "-w", str(recording), "red shirt for men"], check=True)
    biases = [terms.frequent(HOTWORDS), terms.frequent_phrases(HOT_PHRASES)]
    heard = Transcriber().transcribe(recording.read_bytes(), biases, terms.known_words)
    assert heard.lower().replace(",", "").split() == ["red", "shirt", "for", "men"]
