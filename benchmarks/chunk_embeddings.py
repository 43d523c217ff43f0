"""Run by hand (minutes the first time): are title or chunk embeddings worth shipping?

Semantic-only retrieval on SciFact train (5,183 abstracts, 809 queries), exact cosine
over every document, scored with nDCG@10 and recall@100 for:

- whole:  the shipped paper vector, ``paper_text(title, abstract)`` cut at 256 word
          pieces (must match the semantic row of docs/search.md, 0.6578);
- title:  the title alone;
- chunks: the abstract in overlapping windows of ``--window`` word pieces (stride
          ``--stride``), a document scoring its best window (max-sim);
- max(whole, chunks);
- mix:    a*whole + b*best chunk + c*title, a+b+c = 1 on a 0.1 grid, the weights picked
          on the TUNE half of the queries (fixed seed) and reported on both halves.

Vectors are cached in ``--cache`` (default /tmp/chunks-cache/), keyed by runtime, window
and stride, so a rerun only scores. Queries go through ``parse_query`` and the 0.2 cosine
floor (PAPERBOY_SEMANTIC_MIN_SCORE) applies to every variant's final score, as in
``SearchService`` semantic mode.

    nice -n 10 .venv/bin/python benchmarks/chunk_embeddings.py
    nice -n 10 .venv/bin/python benchmarks/chunk_embeddings.py --json
    nice -n 10 .venv/bin/python benchmarks/chunk_embeddings.py --window 128 --stride 64
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scifact import SCIFACT, ndcg_at, read_jsonl, read_qrels, recall_at  # noqa: E402
from paperboy.config import Settings  # noqa: E402
from paperboy.search.embed import (  # noqa: E402
    Embedder,
    OnnxEmbedder,
    load_embedder,
    max_tokens,
    model_source_dir,
    paper_text,
)
from paperboy.search.query import parse_query  # noqa: E402

Matrix = npt.NDArray[np.float32]
DEPTH = 100
SEED = 12
CACHE = Path("/tmp/chunks-cache")


def chunk_texts(
    embedder: OnnxEmbedder, docs: Sequence[str], window: int, stride: int
) -> tuple[list[str], list[int]]:
    """Each text cut into windows of ``window`` word pieces (special tokens excluded)
    every ``stride`` pieces; windows are cut by character offsets, so each chunk is a
    substring of the abstract that re-tokenizes to (almost exactly) the same pieces.
    Returns the chunks and, per chunk, its document's position."""
    tokenizer = embedder._tokenizer  # the product's tokenizer, truncation included
    tokenizer.no_truncation()
    try:
        encodings = tokenizer.encode_batch(list(docs), add_special_tokens=False)
    finally:
        tokenizer.enable_truncation(max_length=max_tokens(model_source_dir()))
    chunks: list[str] = []
    owner: list[int] = []
    for n, (text, enc) in enumerate(zip(docs, encodings, strict=True)):
        offsets = enc.offsets
        if not offsets:
            continue
        starts = range(0, max(len(offsets) - window, 0) + 1, stride)
        last = list(starts)
        if last[-1] + window < len(offsets):  # the tail the stride stepped over
            last.append(len(offsets) - window)
        for s in last:
            span = offsets[s : s + window]
            chunks.append(text[span[0][0] : span[-1][1]])
            owner.append(n)
    return chunks, owner


def cached(path: Path, make: Callable[[], Matrix]) -> tuple[Matrix, float | None]:
    """The array at ``path``, or ``make()`` saved there; with the seconds it took to make."""
    if path.is_file():
        return np.load(path), None
    started = time.perf_counter()
    array = make()
    seconds = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)
    path.with_suffix(".seconds").write_text(f"{seconds:.1f}\n")
    return array, seconds


def seconds_of(path: Path, fresh: float | None) -> float | None:
    if fresh is not None:
        return round(fresh, 1)
    stamp = path.with_suffix(".seconds")
    return float(stamp.read_text()) if stamp.is_file() else None


def best_per_doc(scores: Matrix, owner: npt.NDArray[np.int64], n_docs: int) -> Matrix:
    """Max over each document's chunks (chunks are grouped by document, in order);
    a document without chunks (empty abstract) scores -1."""
    out = np.full((scores.shape[0], n_docs), -1.0, dtype=np.float32)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    out[:, owner[starts]] = np.maximum.reduceat(scores, starts, axis=1)
    return out


def evaluate(
    scores: Matrix,
    qids: Sequence[str],
    doc_ids: Sequence[str],
    qrels: dict[str, set[str]],
    floor: float,
) -> dict[str, float]:
    """Mean nDCG@10 and recall@100 of each query's top 100 documents scoring >= floor."""
    top = np.argsort(-scores, axis=1, kind="stable")[:, :DEPTH]
    ndcg = recall = 0.0
    for row, qid in enumerate(qids):
        ranked = [doc_ids[d] for d in top[row] if scores[row, d] >= floor]
        ndcg += ndcg_at(ranked, qrels[qid])
        recall += recall_at(ranked, qrels[qid])
    return {"ndcg@10": round(ndcg / len(qids), 4), "recall@100": round(recall / len(qids), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SCIFACT / "corpus.jsonl.gz")
    parser.add_argument("--queries", type=Path, default=SCIFACT / "queries-train.jsonl")
    parser.add_argument("--qrels", type=Path, default=SCIFACT / "qrels-train.tsv")
    parser.add_argument("--runtime", default="onnx-int8", help="embedding runtime (ONNX)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="vector cache folder")
    parser.add_argument("--window", type=int, default=128, help="word pieces per chunk")
    parser.add_argument("--stride", type=int, default=64, help="word pieces between chunks")
    parser.add_argument("--floor", type=float, default=Settings().semantic_min_score)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"Error: {args.corpus} not found (the shared SciFact data)")
    if not 0 < args.stride <= args.window <= 254:
        sys.exit("Error: need 0 < stride <= window <= 254 (256 minus [CLS] and [SEP])")

    say: Callable[[str], None] = (lambda _: None) if args.json else print
    embedder: Embedder = load_embedder(args.cache / "models", args.runtime)
    if not isinstance(embedder, OnnxEmbedder):
        sys.exit("Error: chunking needs an ONNX runtime (onnx-int8 or onnx-fp32)")
    model_source_dir()  # fail early and clearly if the weights package is missing

    docs = list(read_jsonl(args.corpus))
    doc_ids = [str(d["_id"]) for d in docs]
    titles = [" ".join((d.get("title") or "").split()) for d in docs]
    abstracts = [" ".join((d.get("text") or "").split()) for d in docs]
    qrels = read_qrels(args.qrels)
    queries = {str(q["_id"]): q["text"] for q in read_jsonl(args.queries)}
    qids = sorted((q for q in queries if q in qrels), key=lambda q: (len(q), q))
    order = qids[:]
    random.Random(SEED).shuffle(order)
    tune_ids, test_ids = set(order[: len(order) // 2]), set(order[len(order) // 2 :])

    tag = args.runtime
    chunks, owner_list = chunk_texts(embedder, abstracts, args.window, args.stride)
    owner = np.asarray(owner_list, dtype=np.int64)
    say(
        f"{len(docs)} documents, {len(qids)} queries ({len(tune_ids)} tune / "
        f"{len(test_ids)} test), {len(chunks)} chunks of {args.window} pieces "
        f"stride {args.stride} ({len(chunks) / len(docs):.2f} per document)"
    )
    say(f"embedding (cached in {args.cache}) ...")
    paths = {
        "whole": args.cache / f"{tag}-whole.npy",
        "title": args.cache / f"{tag}-title.npy",
        "chunks": args.cache / f"{tag}-chunks-{args.window}-{args.stride}.npy",
        "queries": args.cache / f"{tag}-queries.npy",
    }
    texts = {
        "whole": [paper_text(t, a) for t, a in zip(titles, abstracts, strict=True)],
        "title": titles,
        "chunks": chunks,
        "queries": [parse_query(queries[q][:1000]).text for q in qids],
    }
    vectors: dict[str, Matrix] = {}
    embed_seconds: dict[str, float | None] = {}
    for name, path in paths.items():
        vectors[name], fresh = cached(path, functools.partial(embedder.encode, texts[name]))
        embed_seconds[name] = seconds_of(path, fresh)
        say(f"  {name}: {len(texts[name])} texts, {embed_seconds[name]} s to embed")

    q = vectors["queries"]
    # Paper vectors are stored as float16 (paper_embeddings) and searched as float32.
    stored_as = {n: vectors[n].astype(np.float16).astype(np.float32) for n in paths}
    scores = {
        "whole": q @ stored_as["whole"].T,
        "title": q @ stored_as["title"].T,
        "chunks": best_per_doc(q @ stored_as["chunks"].T, owner, len(docs)),
    }
    scores["max(whole, chunks)"] = np.maximum(scores["whole"], scores["chunks"])
    tune_rows = np.array([q in tune_ids for q in qids])
    halves = {"tune": tune_rows, "test": ~tune_rows, "all": np.ones(len(qids), dtype=bool)}

    def figures(matrix: Matrix) -> dict[str, dict[str, float]]:
        return {
            half: evaluate(
                matrix[rows],
                [x for x, r in zip(qids, rows, strict=True) if r],
                doc_ids,
                qrels,
                args.floor,
            )
            for half, rows in halves.items()
        }

    grid: list[tuple[float, float, float, float]] = []
    for tenths_whole, tenths_chunk in itertools.product(range(11), range(11)):
        if tenths_whole + tenths_chunk > 10:
            continue
        w = (tenths_whole / 10, tenths_chunk / 10, (10 - tenths_whole - tenths_chunk) / 10)
        mix = w[0] * scores["whole"] + w[1] * scores["chunks"] + w[2] * scores["title"]
        tuned = evaluate(
            mix[tune_rows], [x for x in qids if x in tune_ids], doc_ids, qrels, args.floor
        )
        grid.append((tuned["ndcg@10"], *w))
    grid.sort(key=lambda r: -r[0])
    _, a, b, c = grid[0]
    mix_name = f"mix {a:.1f}*whole + {b:.1f}*chunk + {c:.1f}*title (tuned)"
    scores[mix_name] = a * scores["whole"] + b * scores["chunks"] + c * scores["title"]

    stored = {"whole": 1.0, "title": 1.0, "chunks": len(chunks) / len(docs)}
    stored["max(whole, chunks)"] = 1 + stored["chunks"]
    stored[mix_name] = 2 + stored["chunks"]
    base = embed_seconds["whole"]
    results: dict[str, Any] = {}
    for name, matrix in scores.items():
        parts = (
            ["whole", "chunks", "title"]
            if name == mix_name
            else (["whole", "chunks"] if name.startswith("max") else [name])
        )
        took = [embed_seconds[p] for p in parts]
        results[name] = {
            **figures(matrix),
            "vectors_per_paper": round(stored[name], 2),
            "embed_seconds": round(sum(t for t in took if t is not None), 1)
            if all(t is not None for t in took)
            else None,
            "embed_time_x": round(sum(t for t in took if t is not None) / base, 2)
            if base and all(t is not None for t in took)
            else None,
        }
    out = {
        "documents": len(docs),
        "queries": {"all": len(qids), "tune": len(tune_ids), "test": len(test_ids)},
        "seed": SEED,
        "runtime": args.runtime,
        "window": args.window,
        "stride": args.stride,
        "chunks": len(chunks),
        "floor": args.floor,
        "variants": results,
        "mix_grid_top5": [
            {"tune_ndcg@10": r[0], "whole": r[1], "chunk": r[2], "title": r[3]} for r in grid[:5]
        ],
    }
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"\n{'variant':<48} {'nDCG@10 tune/test/all':>24} {'R@100 tune/test/all':>24}"
        f" {'vec/paper':>9} {'embed':>7}"
    )
    for name, r in results.items():
        nd = "/".join(f"{r[h]['ndcg@10']:.4f}" for h in ("tune", "test", "all"))
        rc = "/".join(f"{r[h]['recall@100']:.4f}" for h in ("tune", "test", "all"))
        x = f"x{r['embed_time_x']:.2f}" if r["embed_time_x"] is not None else "?"
        print(f"{name:<48} {nd:>24} {rc:>24} {r['vectors_per_paper']:>9.2f} {x:>7}")
    print("best mixes on the tune half:", json.dumps(out["mix_grid_top5"]))


if __name__ == "__main__":
    main()
