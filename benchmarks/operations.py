"""Run by hand: the cost of operations on the full shared corpus (74,728 papers) in a
fresh SQLite data folder: `paperboy db backup` while a thread writes votes, `paperboy db
restore` into another folder, one `/metrics` scrape (the database figures are counted at
scrape time) and one `/ready` probe. Prints each figure. Embeddings are not computed
(the backlog is then all papers, the dearest case for its count).

    .venv/bin/python benchmarks/operations.py [--file ../shared/data/arxiv-2025-2026.jsonl.gz]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ops.backup import backup_database, restore_database
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"


def timed(label: str, started: float) -> float:
    took = time.perf_counter() - started
    print(f"{label}: {took:.2f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "live"
        settings = Settings(data_dir=data, background_indexing=False, digest_scheduler=False)
        store = Store.open(settings.resolved_database_url)
        started = time.perf_counter()
        report = ingest_jsonl(store, args.file)
        timed(f"ingest {report.added} papers", started)
        search = SearchService(settings, store)
        started = time.perf_counter()
        search.lexical.sync(store)
        timed("keyword index", started)

        user = store.accounts.create_user("bench@example.org")
        ids = [p.id for p in store.papers.feed(*_days(store), limit=2000).papers]
        stop, votes = threading.Event(), [0]

        def write() -> None:
            while not stop.is_set():
                store.votes.toggle_vote(user.id, ids[votes[0] % len(ids)])
                votes[0] += 1

        writer = threading.Thread(target=write)
        writer.start()
        backup = Path(tmp) / "backup.db"
        started = time.perf_counter()
        at_start = votes[0]
        done = backup_database(settings, backup)
        took = timed(f"db backup ({done.bytes / 1e6:.0f} MB, {done.papers} papers)", started)
        print(f"  votes written by the site during the backup: {votes[0] - at_start}")
        stop.set()
        writer.join()
        print(f"  write rate during the backup: {(votes[0] - at_start) / took:.0f} votes/s")

        fresh = Settings(data_dir=Path(tmp) / "fresh", background_indexing=False)
        started = time.perf_counter()
        restored = restore_database(fresh, backup)
        timed(f"db restore ({restored.papers} papers)", started)

        app = create_app(settings, store, search)
        with TestClient(app, client=("127.0.0.1", 9)) as client:
            for path in ("/metrics", "/ready"):
                runs = []
                for _ in range(10):
                    started = time.perf_counter()
                    assert client.get(path).status_code == 200
                    runs.append((time.perf_counter() - started) * 1000)
                print(f"GET {path}: median {statistics.median(runs):.1f} ms of 10")
            for name, figure in (
                ("papers", store.papers.count_papers),
                ("embedding backlog", lambda: store.embeddings.count_to_embed("minilm-onnx-int8")),
                (
                    "index lag",
                    lambda: store.operations.count_changed_after(*search.lexical.position()),
                ),
                ("digest outbox", store.digests.outbox_counts),
            ):
                started = time.perf_counter()
                figure()
                print(f"  {name} query: {(time.perf_counter() - started) * 1000:.1f} ms")
        store.close()


def _days(store: Store) -> tuple[date, date]:
    newest = store.papers.latest_announced()
    assert newest is not None
    return newest - timedelta(days=30), newest


if __name__ == "__main__":
    main()
