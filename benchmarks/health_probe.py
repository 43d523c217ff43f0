"""Run by hand: what one `/api/health` probe costs the database, before (a COUNT of
every paper and the newest day on each probe) and now (``ops/health.py``: the newest
day on each probe, the count at most every PAPER_COUNT_FRESH seconds). Reads only.

For each database URL: the time of each query (median and p95 of --repeat runs), of a
probe as it was and as it is (a cached one and one that counts), the queries a burst of
--burst probes runs (counted with an event on the store's engine), and the database
time a probe every 2 s costs per minute.

    .venv/bin/python benchmarks/health_probe.py --url sqlite:////tmp/copy/paperboy.db \\
        --url postgresql+psycopg://user:pass@127.0.0.1:5432/paperboy_load
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

import paperboy.ops.health as health
from paperboy.ops.health import PAPER_COUNT_FRESH, health_figures
from paperboy.store import Store

PROBE_EVERY = 2.0  # seconds between probes of a typical load balancer


def timings(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, p95) in milliseconds of ``repeat`` calls, after one warm-up call."""
    call()
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[int(0.95 * (len(took) - 1))]


def uncached(store: Store) -> Callable[[], object]:
    """A probe that must count: the cached count forgotten first."""

    def probe() -> object:
        health._counts.pop(store, None)
        return health_figures(store)

    return probe


def measure(url: str, repeat: int, burst: int) -> None:
    store = Store.open(url, migrate=False)
    try:
        papers = store.papers.count_papers()
        print(f"\n{url.split('@')[-1]}: {papers:,} papers")
        count = timings(store.papers.count_papers, repeat)
        day = timings(store.papers.latest_announced, repeat)
        before = timings(
            lambda: (store.papers.count_papers(), store.papers.latest_announced()), repeat
        )
        counting = timings(uncached(store), repeat)
        cached = timings(lambda: health_figures(store), repeat)
        for label, (p50, p95) in [
            ("COUNT(*) of papers", count),
            ("MAX(announced)", day),
            ("probe before (both, every probe)", before),
            ("probe now, counting", counting),
            ("probe now, count reused", cached),
        ]:
            print(f"  {label:<34} p50 {p50:7.3f} ms   p95 {p95:7.3f} ms")

        statements: list[str] = []

        def seen(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(store.engine, "before_cursor_execute", seen)
        health._counts.pop(store, None)
        for _ in range(burst):
            health_figures(store)
        event.remove(store.engine, "before_cursor_execute", seen)
        counts = sum("count(" in s.lower() for s in statements)
        print(f"  burst of {burst} probes: {len(statements)} queries, {counts} COUNT")

        per_minute = 60 / PROBE_EVERY
        was = per_minute * before[0]
        now = per_minute * cached[0] + (60 / PAPER_COUNT_FRESH) * (counting[0] - cached[0])
        print(
            f"  database time a minute at one probe every {PROBE_EVERY:.0f} s: "
            f"{was:.1f} ms before, {now:.1f} ms now"
        )
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", action="append", required=True, help="a database URL")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    for url in args.url:
        measure(url, args.repeat, args.burst)


if __name__ == "__main__":
    main()
