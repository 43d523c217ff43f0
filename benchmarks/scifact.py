"""Run by hand (minutes): search quality on a BEIR-format set, SciFact train by default.

Loads the corpus into a fresh data folder as papers, builds the indexes with the same
code `paperboy serve` uses, runs every query through SearchService.ranked_ids (what the
web's /search and /api/search rank with) in lexical, semantic and hybrid mode, and
prints nDCG@10 and recall@100 for each (reranked: hybrid's candidates reordered by the shipped
reranker, paperboy/search/reranker.json).

    .venv/bin/python benchmarks/scifact.py                       # SciFact train, defaults
    .venv/bin/python benchmarks/scifact.py --json
    .venv/bin/python benchmarks/scifact.py --runtime sentence-transformers
    .venv/bin/python benchmarks/scifact.py --tune                # grid over fusion settings
    .venv/bin/python benchmarks/scifact.py --corpus C.jsonl.gz --queries Q.jsonl --qrels R.tsv

Corpus documents get synthetic arXiv-style ids (0001.00000, 0001.00001, ...) because
paperboy stores papers by arXiv id; the mapping back is kept for scoring.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.records import make_record  # noqa: E402
from paperboy.search.fusion import reciprocal_rank_fusion  # noqa: E402
from paperboy.search.query import parse_query  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "data" / "scifact"
MODES = ("lexical", "semantic", "hybrid", "reranked")
DEPTH = 100


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if int(row["score"]) > 0:
                relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
    return relevant


def synthetic_id(n: int) -> str:
    return f"{1 + n // 100_000:04d}.{n % 100_000:05d}"


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = DEPTH) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def load_corpus(store: Store, corpus: Path) -> dict[str, str]:
    """Store every document as a paper (unless a kept data folder already holds them);
    returns synthetic id -> corpus id."""
    back: dict[str, str] = {}
    if store.papers.count_papers():
        for n, doc in enumerate(read_jsonl(corpus)):
            back[synthetic_id(n)] = str(doc["_id"])
        return back
    batch = []
    for n, doc in enumerate(read_jsonl(corpus)):
        pid = synthetic_id(n)
        back[pid] = str(doc["_id"])
        batch.append(
            make_record(
                pid,
                doc.get("title") or str(doc["_id"]),
                source="beir",
                abstract=doc.get("text") or "",
                authors=[],
                categories=["beir"],
                announced=date(2020, 1, 1),
            )
        )
        if len(batch) == 2000:
            store.papers.upsert_papers(batch)
            batch = []
    if batch:
        store.papers.upsert_papers(batch)
    return back


def evaluate(runs: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    scored = [q for q in runs if q in qrels]
    return {
        "ndcg@10": round(sum(ndcg_at(runs[q], qrels[q]) for q in scored) / len(scored), 4),
        "recall@100": round(sum(recall_at(runs[q], qrels[q]) for q in scored) / len(scored), 4),
    }


def tune(
    lexical: dict[str, list[str]],
    semantic: dict[str, list[tuple[str, float]]],
    qrels: dict[str, set[str]],
) -> list[dict[str, float]]:
    """Grid over RRF k, the semantic weight and the semantic score floor."""
    rows = []
    for k, w_sem, floor in itertools.product(
        (5, 10, 20, 40, 60, 100), (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0), (-1.0, 0.1, 0.2, 0.3)
    ):
        runs = {}
        for q, lex in lexical.items():
            sem = [d for d, s in semantic[q] if s >= floor]
            fused = reciprocal_rank_fusion([lex, sem], [1.0, w_sem], k=k)
            runs[q] = [d for d, _ in fused[:DEPTH]]
        rows.append({"k": k, "semantic_weight": w_sem, "min_score": floor, **evaluate(runs, qrels)})
    rows.sort(key=lambda r: (-r["ndcg@10"], -r["recall@100"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SCIFACT / "corpus.jsonl.gz")
    parser.add_argument("--queries", type=Path, default=SCIFACT / "queries-train.jsonl")
    parser.add_argument("--qrels", type=Path, default=SCIFACT / "qrels-train.tsv")
    parser.add_argument("--runtime", default=None, help="embedding runtime (default: setting)")
    parser.add_argument(
        "--data-dir", type=Path, help="keep the built data folder here (and reuse it next time)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tune", action="store_true", help="grid-search fusion settings")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        overrides: dict[str, Any] = {"data_dir": data_dir, "background_indexing": False}
        if args.runtime:
            overrides["embedding_runtime"] = args.runtime
        settings = Settings(**overrides)
        store = Store.open(settings.resolved_database_url)
        started = time.perf_counter()
        back = load_corpus(store, args.corpus)
        service = SearchService(settings, store)
        service.update(embed=True, show_progress=not args.json)
        build_s = time.perf_counter() - started
        qrels = read_qrels(args.qrels)
        queries = {str(q["_id"]): q["text"] for q in read_jsonl(args.queries)}
        queries = {q: t for q, t in queries.items() if q in qrels}

        figures: dict[str, Any] = {}
        lexical_lists: dict[str, list[str]] = {}
        semantic_lists: dict[str, list[tuple[str, float]]] = {}
        for mode in MODES:
            runs = {}
            started = time.perf_counter()
            if mode == "reranked" and service.reranker is None:
                continue
            for qid, text in queries.items():
                pq = parse_query(text[:1000])
                if mode in ("hybrid", "reranked"):
                    ranked = service.ranked_ids(pq, "hybrid", DEPTH, rerank=mode == "reranked")
                else:
                    ranked = service.ranked_ids(pq, mode, DEPTH)  # type: ignore[arg-type]
                runs[qid] = [back[d] for d, _ in ranked]
            per_query_ms = (time.perf_counter() - started) / len(queries) * 1000
            figures[mode] = {**evaluate(runs, qrels), "ms_per_query": round(per_query_ms, 2)}
        if args.tune:
            for qid, text in queries.items():
                pq = parse_query(text[:1000])
                lexical_lists[qid] = [back[d] for d, _ in service.ranked_ids(pq, "lexical", 1000)]
                vec = service.embed_query(pq.text)
                hits = service.vectors.search(vec, limit=1000)
                semantic_lists[qid] = [
                    (back[d], s) for d, s in zip(hits.ids, hits.scores, strict=True)
                ]
            figures["tuning"] = tune(lexical_lists, semantic_lists, qrels)[:10]
        figures["settings"] = {
            "runtime": settings.embedding_runtime,
            "fusion_k": settings.fusion_k,
            "fusion_lexical_weight": settings.fusion_lexical_weight,
            "fusion_semantic_weight": settings.fusion_semantic_weight,
            "semantic_min_score": settings.semantic_min_score,
            "documents": len(back),
            "queries": len(queries),
            "build_seconds": round(build_s, 1),
        }
        store.close()
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"{len(back)} documents, {len(queries)} queries, built in {build_s:.1f} s "
        f"(runtime {settings.embedding_runtime})"
    )
    for mode in [m for m in MODES if m in figures]:
        f = figures[mode]
        print(
            f"{mode:>9}: nDCG@10 {f['ndcg@10']:.4f}  recall@100 {f['recall@100']:.4f}  "
            f"{f['ms_per_query']:.1f} ms/query"
        )
    for row in figures.get("tuning", []):
        print("tuning:", json.dumps(row))


if __name__ == "__main__":
    main()
