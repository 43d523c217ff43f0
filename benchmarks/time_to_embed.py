"""Run by hand: how long a lone `paperboy serve` (SQLite, the embedded default) takes to
embed a newly committed paper, and until semantic search finds it.

Makes a data folder with the 37 fixture papers, starts `paperboy serve` from --tree
with the default PAPERBOY_INDEX_INTERVAL (5 s), waits until they are embedded, then
--papers times: commits one new paper (real ones, from the shared arXiv file), and
measures the seconds until its vector is stored and until `/api/search?mode=semantic`
for its title lists it. Prints each and the median and maximum.

    .venv/bin/python benchmarks/time_to_embed.py --tree . [--papers 8]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
SMALL = ROOT / "tests" / "fixtures" / "papers-small.jsonl"


def count(db: Path, sql: str, *args: object) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def embedded(db: Path, arxiv_id: str) -> bool:
    sql = (
        "SELECT count(*) FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id "
        "WHERE p.arxiv_id = ?"
    )
    return count(db, sql, arxiv_id) > 0


def new_papers(n: int) -> list[dict[str, object]]:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is missing (the shared arXiv file)")
    known = {json.loads(line)["id"] for line in SMALL.read_text().splitlines() if line.strip()}
    found: list[dict[str, object]] = []
    with gzip.open(CORPUS, "rt") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] not in known:
                found.append(record)
            if len(found) == n:
                return found
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", type=Path, default=ROOT, help="paperboy checkout to serve")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-time-to-embed"))
    ap.add_argument("--papers", type=int, default=8)
    args = ap.parse_args()
    data: Path = args.data_dir
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    db = data / "paperboy.db"
    env = dict(
        os.environ,
        PYTHONPATH=str(args.tree.resolve()),
        PAPERBOY_DATA_DIR=str(data),
        PAPERBOY_LOAD_DEMO="false",
        PAPERBOY_DIGEST_SCHEDULER="false",
        PAPERBOY_MAP_REFRESH_MINUTES="0",
    )
    paperboy = [sys.executable, "-m", "paperboy"]
    subprocess.run([*paperboy, "ingest", "jsonl", str(SMALL)], env=env, check=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (data / "serve.log").open("wb")
    command = [*paperboy, "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    to_vector: list[float] = []
    to_search: list[float] = []
    store = Store.open(f"sqlite:///{db}")
    pause = random.Random(14)
    try:
        deadline = time.monotonic() + 300
        while count(db, "SELECT count(*) FROM paper_embeddings") < 37:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit((data / "serve.log").read_text())
            time.sleep(0.5)
        for record in new_papers(args.papers):
            # Commit at a random point of the plan's 5 s cycle (a fixed pause would lock
            # onto one phase of it).
            time.sleep(pause.uniform(1.0, 6.0))
            one = data / "new.jsonl"
            one.write_text(json.dumps(record) + "\n")
            # Committed in this process, timed from its return (the CLI would add its
            # start-up and keyword-index update, during which the server already embeds).
            if ingest_jsonl(store, one).added != 1:
                raise SystemExit(f"{record['id']} was not added")
            committed = time.monotonic()
            arxiv_id = str(record["id"])
            while not embedded(db, arxiv_id):
                if time.monotonic() - committed > 120:
                    raise SystemExit(f"{arxiv_id} not embedded in 120 s")
                time.sleep(0.05)
            to_vector.append(time.monotonic() - committed)
            query = {"q": str(record["title"]), "mode": "semantic", "limit": "5"}
            while True:
                answer = httpx.get(f"{base}/api/search", params=query, timeout=30).json()
                if arxiv_id in [r["id"] for r in answer["results"]]:
                    break
                if time.monotonic() - committed > 120:
                    raise SystemExit(f"{arxiv_id} not found by semantic search in 120 s")
                time.sleep(0.1)
            to_search.append(time.monotonic() - committed)
            print(
                f"{arxiv_id}: vector after {to_vector[-1]:.1f} s, found after {to_search[-1]:.1f} s"
            )
    finally:
        store.close()
        server.terminate()
        server.wait()
    print(f"tree: {args.tree}  new papers: {len(to_vector)}")
    for name, values in (("vector stored", to_vector), ("semantic search finds it", to_search)):
        print(
            f"{name}: median {statistics.median(values):.1f} s, max {max(values):.1f} s "
            "after the commit"
        )


if __name__ == "__main__":
    main()
