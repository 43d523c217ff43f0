"""Run by hand (minutes): grid over the keyword leg's BM25 field weights and proximity
bonus, on the known-item *tune* half and SciFact train only.

Both data folders must exist (benchmarks/known_item.py's and benchmarks/scifact.py
--data-dir's). Prints the best settings by the mean of known-item MRR@10 and SciFact
nDCG@10, then the shipped defaults for comparison.

    .venv/bin/python benchmarks/tune_lexical.py --known /work/bench-data/search \\
        --scifact /work/bench-data/scifact
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from known_item import metrics, rank_of, read_queries  # noqa: E402
from scifact import SCIFACT, evaluate, read_jsonl, read_qrels, synthetic_id  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.search.lexical import LexicalIndex, LexicalParams  # noqa: E402
from paperboy.search.query import ParsedQuery, parse_query  # noqa: E402
from paperboy.store import Store  # noqa: E402


def index_of(data_dir: Path) -> LexicalIndex:
    settings = Settings(data_dir=data_dir, background_indexing=False)
    store = Store.open(settings.resolved_database_url)
    index = LexicalIndex(settings.resolved_index_dir / "lexical")
    index.sync(store)
    store.close()
    return index


def known_score(index: LexicalIndex, queries: list[tuple[ParsedQuery, str]]) -> float:
    ranks = [rank_of(index.search(pq, limit=100).ids, target) for pq, target in queries]
    return metrics(ranks)["mrr@10"]


def scifact_score(
    index: LexicalIndex,
    queries: dict[str, ParsedQuery],
    back: dict[str, str],
    qrels: dict[str, set[str]],
) -> float:
    runs = {q: [back[d] for d in index.search(pq, limit=100).ids] for q, pq in queries.items()}
    return evaluate(runs, qrels)["ndcg@10"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=Path, default=Path("/work/bench-data/search"))
    parser.add_argument("--scifact", type=Path, default=Path("/work/bench-data/scifact"))
    args = parser.parse_args()

    known = index_of(args.known)
    tune = [
        (parse_query(q["query"]), q["arxiv_id"]) for q in read_queries() if q["split"] == "tune"
    ]
    sci = index_of(args.scifact)
    back = {
        synthetic_id(n): str(d["_id"])
        for n, d in enumerate(read_jsonl(SCIFACT / "corpus.jsonl.gz"))
    }
    qrels = read_qrels(SCIFACT / "qrels-train.tsv")
    sci_queries = {
        str(q["_id"]): parse_query(q["text"][:1000])
        for q in read_jsonl(SCIFACT / "queries-train.jsonl")
        if str(q["_id"]) in qrels
    }

    rows = []
    base = LexicalParams()
    # Earlier grids: a wide one (title 1-3, an unstemmed copy of the title at 0-1,
    # proximity 0-2, slop 2/4) showed title 1.0 > 1.5 > 2 and that the unstemmed title
    # (since removed) and proximity bonuses of 0.5 and more only hurt; a finer one
    # (title 0.5-1.25, authors 0.5/1, unstemmed title 0/0.2, proximity 0/0.1/0.25) put
    # title 0.5 first and found the authors' weight irrelevant.
    grid = itertools.product((0.25, 0.35, 0.5), (0.0, 0.05, 0.1))
    for title, proximity in grid:
        params = replace(base, title=title, proximity=proximity, slop=3)
        known.params = sci.params = params
        row = {
            **asdict(params),
            "known_tune_mrr@10": known_score(known, tune),
            "scifact_ndcg@10": scifact_score(sci, sci_queries, back, qrels),
        }
        row["mean"] = round((row["known_tune_mrr@10"] + row["scifact_ndcg@10"]) / 2, 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    rows.sort(key=lambda r: -float(r["mean"]))
    print("best:")
    for row in rows[:10]:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
