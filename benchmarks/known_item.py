"""Run by hand: known-item search quality over the 74,728-paper shared corpus.

Each line of benchmarks/data/known_item.jsonl is a description of one paper as a reader
who read it a month ago would type it (written by hand from the paper's abstract, not
copying the title's distinctive words) with the paper's arXiv id, a split and a style.
The papers were drawn with ``--sample``: ``random.Random(12).sample`` of 170 papers from
the corpus sorted by id. The split was fixed before any tuning: even sample positions
are "tune", odd ones "test". Tune only on "tune" (and SciFact train); report "test".

Prints MRR@10 and recall@1/5/10/100 per mode (lexical, semantic, hybrid = RRF of the two,
reranked = hybrid's candidates reordered by the learned reranker) for each split, all
through SearchService.ranked_ids, the code behind /search and /api/search.

    .venv/bin/python benchmarks/known_item.py --data-dir /work/bench-data/search
    .venv/bin/python benchmarks/known_item.py --data-dir DIR --json
    .venv/bin/python benchmarks/known_item.py --sample 170      # the papers to describe

The data folder must hold the corpus and its embeddings (`paperboy ingest jsonl` then
`paperboy index update` with PAPERBOY_DATA_DIR set; about 25 minutes, once). The keyword
index is brought up to date here (rebuilt after a schema change; seconds).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.config import Settings  # noqa: E402
from paperboy.search.query import parse_query  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
QUERIES = ROOT / "benchmarks" / "data" / "known_item.jsonl"
MODES = ("lexical", "semantic", "hybrid", "reranked")
DEPTH = 100
SAMPLE_SEED = 12


def read_queries(path: Path = QUERIES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample_papers(n: int, corpus: Path = CORPUS) -> Iterator[dict[str, Any]]:
    """The papers the queries describe, in the order the split rule refers to."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        papers = sorted((json.loads(line) for line in fh), key=lambda p: str(p["id"]))
    yield from random.Random(SAMPLE_SEED).sample(papers, n)


def rank_of(ranked: Sequence[str], target: str) -> int | None:
    """1-based rank of the target, None when it is not in the list."""
    try:
        return ranked.index(target) + 1
    except ValueError:
        return None


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    found = [r for r in ranks if r is not None]
    out = {"mrr@10": sum(1 / r for r in found if r <= 10) / n}
    for k in (1, 5, 10, 100):
        out[f"r@{k}"] = sum(1 for r in found if r <= k) / n
    return {k: round(v, 4) for k, v in out.items()}


def run_mode(service: SearchService, query: str, mode: str, depth: int = DEPTH) -> list[str]:
    pq = parse_query(query)
    if mode == "reranked":
        ranked = service.ranked_ids(pq, "hybrid", depth, rerank=True)
    elif mode == "hybrid":
        try:
            ranked = service.ranked_ids(pq, "hybrid", depth, rerank=False)
        except TypeError:  # code from before the reranker (a before/after comparison)
            ranked = service.ranked_ids(pq, "hybrid", depth)
    else:
        ranked = service.ranked_ids(pq, mode, depth)  # type: ignore[arg-type]
    return [a for a, _ in ranked]


def evaluate(
    service: SearchService, queries: list[dict[str, str]], modes: Sequence[str] = MODES
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for mode in modes:
        started = time.perf_counter()
        by_split: dict[str, list[int | None]] = {"tune": [], "test": [], "all": []}
        for q in queries:
            rank = rank_of(run_mode(service, q["query"], mode), q["arxiv_id"])
            by_split[q["split"]].append(rank)
            by_split["all"].append(rank)
        ms = (time.perf_counter() - started) / max(1, len(queries)) * 1000
        figures[mode] = {s: metrics(r) for s, r in by_split.items()}
        figures[mode]["ms_per_query"] = round(ms, 2)
    return figures


def open_service(data_dir: Path) -> tuple[Store, SearchService]:
    settings = Settings(data_dir=data_dir, background_indexing=False)
    store = Store.open(settings.resolved_database_url)
    service = SearchService(settings, store)
    service.lexical.sync(store)
    return store, service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/work/bench-data/search"))
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sample", type=int, help="print the sampled papers and stop")
    args = parser.parse_args()
    if args.sample:
        for i, paper in enumerate(sample_papers(args.sample)):
            split = "tune" if i % 2 == 0 else "test"
            print(json.dumps({"n": i, "split": split, "id": paper["id"], "title": paper["title"]}))
        return
    queries = read_queries(args.queries)
    store, service = open_service(args.data_dir)
    papers, embedded = store.papers.count_papers(), len(service.vectors)
    figures = evaluate(service, queries, args.modes.split(","))
    figures["corpus"] = {"papers": papers, "embedded": embedded, "queries": len(queries)}
    store.close()
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{papers} papers ({embedded} embedded), {len(queries)} queries")
    print(f"{'mode':>9} {'split':>5}  MRR@10   R@1    R@5    R@10   R@100")
    for mode in args.modes.split(","):
        for split in ("tune", "test", "all"):
            m = figures[mode][split]
            print(
                f"{mode:>9} {split:>5}  {m['mrr@10']:.3f}  {m['r@1']:.3f}  {m['r@5']:.3f}  "
                f"{m['r@10']:.3f}  {m['r@100']:.3f}"
            )


if __name__ == "__main__":
    main()
