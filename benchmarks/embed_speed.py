"""Run by hand: embedding speed and fidelity of each runtime on real arXiv abstracts.

For each runtime (sentence-transformers on CPU torch, ONNX Runtime fp32, ONNX Runtime
int8) it loads the embedder (exporting the ONNX model first when the model folder lacks
it, timed separately), warms up on one small batch, then times encoding the first N
papers' "title. abstract" texts and prints texts/second. With sentence-transformers
among the runtimes it also prints the mean and minimum cosine of every runtime's
vectors to the sentence-transformers ones.

    .venv/bin/python benchmarks/embed_speed.py [--papers 2000]
        [--runtimes sentence-transformers,onnx-fp32,onnx-int8] [--batch-size 32]
        [--model-dir DIR (default: a fresh temporary folder, so the export is timed)]
        [--file ../shared/data/arxiv-2025-2026.jsonl.gz] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.search.embed import (  # noqa: E402
    RUNTIMES,
    clear_cache,
    load_embedder,
    model_source_dir,
    onnx_path,
    paper_text,
)

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
REFERENCE = "sentence-transformers"
WARM_UP = 8


def read_texts(file: Path, count: int) -> list[str]:
    with gzip.open(file, "rt", encoding="utf-8") as lines:
        papers = (json.loads(line) for line in lines if line.strip())
        with_abstract = (p for p in papers if p.get("abstract"))
        return [paper_text(p["title"], p["abstract"]) for p in islice(with_abstract, count)]


def token_counts(texts: list[str]) -> list[int]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_source_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return [len(e.ids) for e in tokenizer.encode_batch(texts)]


def run(runtime: str, texts: list[str], model_dir: Path, batch_size: int) -> dict[str, object]:
    exported = (
        runtime != REFERENCE and not onnx_path(model_dir, quantize=runtime == "onnx-int8").is_file()
    )
    started = time.perf_counter()
    embedder = load_embedder(model_dir, runtime)
    load_s = time.perf_counter() - started
    embedder.encode(texts[:WARM_UP], batch_size=batch_size)
    started = time.perf_counter()
    vectors = embedder.encode(texts, batch_size=batch_size)
    seconds = time.perf_counter() - started
    result: dict[str, object] = {
        "runtime": runtime,
        "name": embedder.name,
        "load_s": round(load_s, 2),
        "exported_during_load": exported,
        "encode_s": round(seconds, 2),
        "texts_per_s": round(len(texts) / seconds, 1),
        "vectors": vectors,
    }
    if runtime != REFERENCE:
        path = onnx_path(model_dir, quantize=runtime == "onnx-int8")
        result["onnx_file"] = path.name
        result["onnx_mb"] = round(path.stat().st_size / 1e6, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--runtimes", default=",".join((REFERENCE, "onnx-fp32", "onnx-int8")))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model-dir", type=Path)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    unknown = [r for r in runtimes if r not in RUNTIMES]
    if unknown:
        parser.error(f"unknown runtimes {unknown}; choose from {', '.join(RUNTIMES)}")

    texts = read_texts(args.file, args.papers)
    tokens = token_counts(texts)
    with tempfile.TemporaryDirectory(prefix="paperboy-embed-") as scratch:
        model_dir = args.model_dir or Path(scratch)
        results = [run(r, texts, model_dir, args.batch_size) for r in runtimes]
        clear_cache()
    reference = next((r["vectors"] for r in results if r["runtime"] == REFERENCE), None)
    for result in results:
        vectors = result.pop("vectors")
        if isinstance(reference, np.ndarray) and isinstance(vectors, np.ndarray):
            cos = (vectors * reference).sum(axis=1)
            result["cosine_vs_st_mean"] = round(float(cos.mean()), 5)
            result["cosine_vs_st_min"] = round(float(cos.min()), 5)

    report = {
        "papers": len(texts),
        "tokens_median": statistics.median(tokens),
        "tokens_over_256": sum(t > 256 for t in tokens),
        "batch_size": args.batch_size,
        "cpus": os.cpu_count(),
        "runtimes": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['papers']} papers, median {report['tokens_median']} word pieces "
        f"({report['tokens_over_256']} truncated at 256), batch {args.batch_size}, "
        f"{report['cpus']} CPUs"
    )
    for r in results:
        cosine = (
            f"cosine vs s-t mean {r['cosine_vs_st_mean']:.5f} min {r['cosine_vs_st_min']:.5f}"
            if "cosine_vs_st_mean" in r
            else "cosine vs s-t: not measured"
        )
        size = f", {r['onnx_mb']} MB" if "onnx_mb" in r else ""
        export = " (incl. export)" if r["exported_during_load"] else ""
        print(
            f"{r['runtime']:>22}: {r['texts_per_s']:6.1f} texts/s, {cosine}, "
            f"load {r['load_s']} s{export}{size}"
        )


if __name__ == "__main__":
    main()
