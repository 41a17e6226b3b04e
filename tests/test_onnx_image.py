"""The ONNX image runtimes (float32 and int8) give vectors close to PyTorch's, exported and calibrated offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopseek.encoders.base import get_encoder
from shopseek.encoders.onnx_image import calibration_images, has_vnni, int8_suffix

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.models


def test_onnx_runtimes_match_torch_and_cache_their_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_CACHE", str(tmp_path))
    images = calibration_images()[::8]
    reference = get_encoder("offline", image_runtime="torch").encode_images(images)
    int8_closeness = 0.97 if has_vnni() else 0.94  # 7-bit weights without VNNI (full range saturates: 0.81)
    for runtime, closeness in (("onnx", 0.9999), ("onnx-int8", int8_closeness)):
        vectors = get_encoder("offline", image_runtime=runtime).encode_images(images)
        similarity = (vectors * reference).sum(axis=1) / np.linalg.norm(vectors, axis=1)
        assert similarity.mean() > closeness, (runtime, similarity.mean())
        nearest = (vectors @ reference.T).argmax(axis=1)
        assert (nearest == np.arange(len(images))).mean() >= 0.9
    made = sorted(p.name.endswith(f"{int8_suffix()}.onnx") for p in tmp_path.glob("efficientnet-*.onnx"))
    assert made == [False, True]


def test_visual_words_through_onnx_match_the_torch_classifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_CACHE", str(tmp_path))
    images = calibration_images()[::8]
    torch_words = get_encoder("offline", image_runtime="torch").encode_visual_words(images)
    onnx_words = get_encoder("offline", image_runtime="onnx").encode_visual_words(images)
    assert (torch_words * onnx_words).sum(axis=1).min() > 0.999


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="image_runtime must be one of"):
        get_encoder("offline", image_runtime="tpu")


def test_unknown_query_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="query_runtime must be one of"):
        get_encoder("offline", query_runtime="fp8")
