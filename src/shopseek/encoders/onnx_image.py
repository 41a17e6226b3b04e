"""EfficientNet-Lite0 features on ONNX Runtime, in float32 or int8 (static QDQ quantisation).

The ONNX files are exported from the shipped PyTorch weights on first use and cached; int8 is calibrated on
the images of the bundled demo catalogue, so nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from PIL import Image

from shopseek.encoders.base import compute_threads

CALIBRATION_IMAGES = 128
CALIBRATION_BATCH = 16
Preprocess = Callable[[list[Image.Image]], torch.Tensor]


def cache_folder() -> Path:
    """Where exported models are kept: $SHOPSEEK_CACHE, else ~/.cache/shopseek."""
    return Path(os.environ.get("SHOPSEEK_CACHE") or Path.home() / ".cache" / "shopseek")


@contextlib.contextmanager
def written_aside(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` for the block to write, renamed over `path` when the block succeeds (one per
    process: processes making the same file at once never share one)."""
    temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp{path.suffix}")
    yield temporary
    temporary.replace(path)


def session(path: Path) -> onnxruntime.InferenceSession:
    """An ONNX Runtime session on every inference thread whose idle threads sleep: spinning ones took the cores
    from the rest of a search (word search p50 25 -> 35 ms)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = compute_threads()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def calibration_images() -> list[Image.Image]:
    """Product photos from the bundled demo catalogue, a spread across it."""
    folder = Path(str(resources.files("shopseek").joinpath("demo/images")))
    paths = sorted(folder.rglob("*.jpg"))
    step = max(1, len(paths) // CALIBRATION_IMAGES)
    return [Image.open(path).convert("RGB") for path in paths[::step][:CALIBRATION_IMAGES]]


class _Features(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model.extract_features(images)  # type: ignore[operator]


def export(model: torch.nn.Module, sample: torch.Tensor, path: Path) -> None:
    """Write the feature extractor as ONNX with a dynamic batch size and image size (features and the classifier
    read images of different sizes)."""
    with written_aside(path) as temporary:
        torch.onnx.export(
            _Features(model).eval(),
            (sample,),
            str(temporary),
            input_names=["images"],
            output_names=["features"],
            dynamic_axes={
                "images": {0: "batch", 2: "height", 3: "width"},
                "features": {0: "batch", 2: "rows", 3: "cols"},
            },
            dynamo=False,
            opset_version=17,
        )


@functools.cache
def has_vnni() -> bool:
    """True when the CPU multiplies 8-bit numbers with VNNI: without it, ONNX Runtime's 8-bit kernels saturate on
    full-range weights (vectors at cosine 0.81 to float32 here on an AVX2 CPU, 0.96 with 7-bit weights)."""
    flags = Path("/proc/cpuinfo")
    return flags.exists() and bool({"avx512_vnni", "avx_vnni"} & set(flags.read_text().split()))


def quantise(source: Path, target: Path, preprocess: Preprocess, images: list[Image.Image], full_range: bool) -> None:
    """Static int8 quantisation (per-channel weights, QDQ) calibrated on the given images; weights take 7 bits
    unless `full_range` (a CPU with VNNI)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Calibration(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches: Iterator[dict[str, np.ndarray]] = iter(
                {"images": preprocess(images[start : start + CALIBRATION_BATCH]).numpy()}
                for start in range(0, len(images), CALIBRATION_BATCH)
            )

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    prepared = source.with_suffix(f".{os.getpid()}.pre.onnx")
    quant_pre_process(str(source), str(prepared))
    with written_aside(target) as temporary:
        quantize_static(
            str(prepared),
            str(temporary),
            Calibration(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            weight_type=QuantType.QInt8,
            activation_type=QuantType.QUInt8,
            reduce_range=not full_range,
        )
    prepared.unlink()


def int8_suffix() -> str:
    """What tells this CPU's int8 graph (and the vectors it makes) from another's: weights of 8 bits or 7."""
    return "-int8" if has_vnni() else "-int8-7bit"


def onnx_features(model: torch.nn.Module, preprocess: Preprocess, int8: bool) -> Callable[[torch.Tensor], np.ndarray]:
    """A function from preprocessed images to EfficientNet feature maps, running on ONNX Runtime."""
    digest = hashlib.sha1(b"".join(v.detach().numpy().tobytes()[:4096] for v in model.state_dict().values()))
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / f"efficientnet-lite0-{digest.hexdigest()[:12]}-any-size.onnx"
    path = plain.with_name(plain.stem + int8_suffix() + ".onnx") if int8 else plain
    if not path.exists():
        images = calibration_images()
        if not plain.exists():
            export(model, preprocess(images[:2]), plain)
        if int8:
            quantise(plain, path, preprocess, images, full_range=has_vnni())
    runner = session(path)
    return lambda images: runner.run(None, {"images": images.numpy()})[0]
