"""The figures of ``/api/health``: papers stored and the newest announcement day.

Load balancers and monitors call it every few seconds, and it has no rate limit
(``web/ratelimit.py``), so it must stay cheap however many papers there are. Counting
every paper scans a whole table or index, growing with the corpus
(``benchmarks/health_probe.py``, 74,728 papers: p50 1.2 ms on SQLite, 6.6 ms on
PostgreSQL), so the count is kept per process and store for ``PAPER_COUNT_FRESH``
seconds: it may be that much behind the database. The newest day is one lookup in
``ix_papers_announced_id`` (0.1 ms on SQLite, 0.5 ms on PostgreSQL), read on every
probe: so it is never stale, and a probe still answers only while the database answers
(that query raises otherwise)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date
from time import monotonic

from paperboy.store import Store

PAPER_COUNT_FRESH = 10.0  # seconds a paper count is reused (the documented staleness)


@dataclass(frozen=True, slots=True)
class HealthFigures:
    papers: int  # up to PAPER_COUNT_FRESH seconds old
    latest_day: date | None  # as of this call


class _PaperCount:
    """One store's paper count and when it was taken; one counter at a time, so a burst
    of probes as the count expires still runs a single COUNT."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.taken: float | None = None
        self.papers = 0


_counts: weakref.WeakKeyDictionary[Store, _PaperCount] = weakref.WeakKeyDictionary()
_counts_lock = threading.Lock()


def health_figures(store: Store) -> HealthFigures:
    """The newest announcement day (read now) and the number of papers (counted at most
    every PAPER_COUNT_FRESH seconds by this process). Raises the driver's error when the
    database does not answer."""
    latest_day = store.papers.latest_announced()
    with _counts_lock:
        count = _counts.get(store)
        if count is None:
            count = _counts[store] = _PaperCount()
    with count.lock:
        now = monotonic()
        if count.taken is None or now - count.taken >= PAPER_COUNT_FRESH:
            count.papers = store.papers.count_papers()
            count.taken = monotonic()
        papers = count.papers
    return HealthFigures(papers=papers, latest_day=latest_day)
