"""Run by hand: trending latency with the 74,728-paper corpus and 50,000 votes.

Copies (or ingests) the corpus into --data-dir, adds 2,000 readers and 50,000 votes
spread over the last 30 days (more on recent papers; seeded, so every run builds the
same data), then times load_trending (the function behind /trending, /api/trending and
the trending feeds) for the 1-, 7- and 30-day windows: --runs requests each, after one
warm-up request, printing p50/p95 in ms. Run it with PYTHONPATH set to the tree to
measure (e.g. the main checkout for "before"); each tree needs its own --data-dir (the
schema differs).

    PYTHONPATH=. .venv/bin/python benchmarks/trending.py --from-db corpus/paperboy.db
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.feed.trending import TrendingWeights, load_trending
from paperboy.store import Store

W = TrendingWeights()

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
READERS, VOTES = 2000, 50_000


def build(data: Path, from_db: Path | None) -> Store:
    db = data / "paperboy.db"
    fresh = not db.exists()
    data.mkdir(parents=True, exist_ok=True)
    if fresh and from_db is not None:
        src, dst = sqlite3.connect(f"file:{from_db}?mode=ro", uri=True), sqlite3.connect(db)
        src.backup(dst)
        dst.close()
        src.close()
    elif fresh:
        command = [sys.executable, "-m", "paperboy", "ingest", "jsonl", str(CORPUS)]
        subprocess.run(command, env={"PAPERBOY_DATA_DIR": str(data)}, check=True)
    store = Store.open(Settings(data_dir=data).resolved_database_url)
    with sqlite3.connect(db) as conn:
        have = conn.execute("SELECT count(*) FROM votes").fetchone()[0]
        if have < VOTES:
            rng = random.Random(10)
            now = utcnow()
            conn.executemany(
                "INSERT OR IGNORE INTO users (id, email, display_name, role, suspended, "
                "created_at) VALUES (?, ?, ?, 'reader', 0, ?)",
                [(1000 + i, f"r{i}@example.org", f"r{i}", now) for i in range(READERS)],
            )
            ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
            rows: set[tuple[int, int]] = set()
            while len(rows) < VOTES:
                # newer papers (higher ids) get more votes
                paper = ids[int(len(ids) * (1 - rng.random() ** 3)) - 1]
                rows.add((1000 + rng.randrange(READERS), paper))
            conn.executemany(
                "INSERT OR IGNORE INTO votes (user_id, paper_id, created_at) VALUES (?, ?, ?)",
                [(u, p, now - timedelta(days=rng.uniform(0, 30))) for u, p in sorted(rows)],
            )
            # Recent announcements, so the windows hold papers (the corpus is older).
            newest = conn.execute("SELECT max(announced) FROM papers").fetchone()[0]
            shift = (now.date() - date.fromisoformat(newest)).days
            conn.execute(
                "UPDATE papers SET announced = date(announced, ?) WHERE announced IS NOT NULL",
                (f"+{shift} days",),
            )
    return store


def report(label: str, times: list[float], found: int) -> None:
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label}: p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
        f"({found} papers, {len(times)} requests)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-trending"))
    ap.add_argument("--from-db", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    store = build(args.data_dir, args.from_db)
    with sqlite3.connect(args.data_dir / "paperboy.db") as conn:
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        votes = conn.execute("SELECT count(*) FROM votes").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id DESC LIMIT 50")]
    print(f"{papers} papers, {votes} votes")
    for window in (1, 7, 30):
        load_trending(store, window=window, limit=30, weights=W)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            found = load_trending(store, window=window, limit=30, weights=W)
            times.append((time.perf_counter() - start) * 1000)
        report(f"trending {window:>2} d", times, len(found))
        # The first request after a vote (any process) recomputes.
        times = []
        for run in range(min(args.runs, 10)):
            store.votes.toggle_vote(1000 + run, ids[run % len(ids)])
            start = time.perf_counter()
            load_trending(store, window=window, limit=30, weights=W)
            times.append((time.perf_counter() - start) * 1000)
            store.votes.toggle_vote(1000 + run, ids[run % len(ids)])
        report("  after a vote", times, len(found))
    store.close()


if __name__ == "__main__":
    main()
