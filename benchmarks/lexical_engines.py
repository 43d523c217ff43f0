"""Run by hand (about a minute): the measurement behind the choice of keyword engine.

Indexes title + abstract + authors of the shared corpus (74,728 papers) in tantivy (as
paperboy's LexicalIndex does, BM25) and in SQLite FTS5 (bm25()), then times 200
realistic 3-6 word queries, top 20, with OR semantics (any word may match: AND misses
paraphrases), and prints build time, index size and p50/p95 latency of each.

    .venv/bin/python benchmarks/lexical_engines.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tantivy  # noqa: E402

from paperboy.search.query import parse_query  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"


def load() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def queries(papers: list[dict[str, Any]], n: int = 200) -> list[list[str]]:
    rng = random.Random(7)
    out = []
    for paper in rng.sample(papers, n):
        words = parse_query(paper["title"]).terms
        size = rng.randint(3, 6)
        start = rng.randint(0, max(0, len(words) - size))
        out.append(words[start : start + size] or words)
    return out


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[round(0.95 * (len(ordered) - 1))], 2),
    }


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def bench_tantivy(papers: list[dict[str, Any]], qs: list[list[str]], tmp: Path) -> dict[str, Any]:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="en_stem")
    sb.add_text_field("abstract", tokenizer_name="en_stem")
    sb.add_text_field("authors", tokenizer_name="default")
    schema = sb.build()
    path = tmp / "tantivy"
    path.mkdir()
    index = tantivy.Index(schema, path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for p in papers:
        writer.add_document(
            tantivy.Document(
                id=p["id"], title=p["title"], abstract=p["abstract"], authors=p["authors"]
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()
    times = []
    for words in qs:
        t = time.perf_counter()
        q = index.parse_query(
            " ".join(words), ["title", "abstract", "authors"], field_boosts={"title": 2.0}
        )
        [searcher.doc(a)["id"] for _, a in searcher.search(q, 20).hits]
        times.append((time.perf_counter() - t) * 1000)
    return {"build_s": round(build, 1), "size_mb": dir_mb(path), **stats(times)}


def bench_fts5(papers: list[dict[str, Any]], qs: list[list[str]], tmp: Path) -> dict[str, Any]:
    db = tmp / "fts.db"
    conn = sqlite3.connect(db)
    started = time.perf_counter()
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, abstract, authors, "
        "tokenize='porter unicode61')"
    )
    conn.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?)",
        ((p["id"], p["title"], p["abstract"], " ".join(p["authors"])) for p in papers),
    )
    conn.commit()
    conn.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    conn.commit()
    build = time.perf_counter() - started
    times = []
    for words in qs:
        match = " OR ".join(f'"{w}"' for w in words)
        t = time.perf_counter()
        conn.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 2.0, 1.0, 1.0) LIMIT 20",
            (match,),
        ).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    conn.close()
    return {
        "build_s": round(build, 1),
        "size_mb": round(db.stat().st_size / 1e6, 1),
        **stats(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    papers = load()
    qs = queries(papers)
    with tempfile.TemporaryDirectory() as tmp:
        figures = {
            "papers": len(papers),
            "queries": len(qs),
            "tantivy": bench_tantivy(papers, qs, Path(tmp)),
            "sqlite_fts5": bench_fts5(papers, qs, Path(tmp)),
        }
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
