"""Run by hand (about 45 s): time `paperboy sync hf` of 7 days against the local
stand-in of Hugging Face's ``/api/daily_papers`` (the tests' server and recorded week,
tests/fixtures/hf-daily-week.json, 32 papers), on a fresh SQLite database.

Prints, for the default request interval (3 s) and for none: the first run (every day
answered 200) and a second run (every day answered 304 to the stored ETag).

    PYTHONPATH=. .venv/bin/python benchmarks/hf_sync.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paperboy.config import Settings
from paperboy.ingest.hf_sync import sync_hf
from paperboy.store import Store
from tests.ingest.source_server import LocalServer
from tests.ingest.test_hf_sync import LAST_DAY, DailyPapers, load_week


def run(interval: float) -> None:
    server = LocalServer()
    server.start()
    server.handler = DailyPapers(load_week())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                data_dir=Path(tmp),
                request_interval=interval,
                hf_daily_papers_url=f"{server.url}/api/daily_papers",
            )
            store = Store.open(f"sqlite:///{tmp}/bench.db")
            try:
                for label in ("first run (200s)", "second run (304s)"):
                    started = time.monotonic()
                    report = sync_hf(store, settings, days=7, until=LAST_DAY)
                    took = time.monotonic() - started
                    print(
                        f"interval {interval:.1f}s, {label}: {took:.2f}s for 7 days, "
                        f"HF counts of {report.counts_refreshed} papers"
                    )
            finally:
                store.close()
    finally:
        server.stop()


def main() -> None:
    for interval in (3.0, 0.0):
        run(interval)


if __name__ == "__main__":
    main()
