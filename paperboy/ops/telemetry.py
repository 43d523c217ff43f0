"""Figures read from the database when ``/metrics`` is scraped: papers stored, the
embedding backlog, how far the keyword index trails the database, and digest sends.

They are computed by the process that answers the scrape (not kept in counters), so they
are right whichever process did the work, in multi-process mode too, and cost nothing
between scrapes. Each is one cheap query; when the database does not answer,
``paperboy_database_up`` is 0 and the others are left out of that scrape."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from paperboy.clock import utcnow
from paperboy.search.service import SearchService, model_key
from paperboy.store import Store
from paperboy.store.db import DatabaseError

log = logging.getLogger("paperboy.ops")


def index_lag(store: Store, search: SearchService) -> tuple[int, float]:
    """(papers the keyword index has not read yet, seconds between the newest change in
    the database and the index's position); (0, 0.0) when it is current."""
    since, after_id = search.lexical.position()
    waiting = store.operations.count_changed_after(since, after_id)
    if not waiting:
        return 0, 0.0
    newest = store.papers.max_last_changed()
    if since is None or newest is None:
        return waiting, _age(newest)
    return waiting, max(0.0, (newest - since).total_seconds())


def _age(moment: datetime | None) -> float:
    return 0.0 if moment is None else max(0.0, (utcnow() - moment).total_seconds())


class DatabaseFigures(Collector):
    """A collector for one scrape-time registry (see ``metrics.exposition``)."""

    def __init__(self, store: Store, search: SearchService) -> None:
        self.store, self.search = store, search

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        up = GaugeMetricFamily(
            "paperboy_database_up", "1 when the database answered this scrape's queries."
        )
        try:
            figures = list(self._figures())
        except (DatabaseError, OSError):
            log.warning("metrics: the database did not answer", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures
        took = GaugeMetricFamily(
            "paperboy_metrics_query_seconds",
            "Time the database queries of this scrape took.",
        )
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _figures(self) -> Iterator[Metric]:
        store = self.store
        papers = GaugeMetricFamily("paperboy_papers", "Papers stored.")
        papers.add_metric([], store.papers.count_papers())
        yield papers
        model = model_key(self.search.settings.embedding_runtime)
        backlog = GaugeMetricFamily(
            "paperboy_embedding_backlog",
            "Papers without a current embedding (new, or their text changed).",
            labels=["model"],
        )
        backlog.add_metric([model], store.embeddings.count_to_embed(model))
        yield backlog
        waiting, seconds = index_lag(store, self.search)
        lag_papers = GaugeMetricFamily(
            "paperboy_index_lag_papers", "Papers changed since the keyword index last read."
        )
        lag_papers.add_metric([], waiting)
        yield lag_papers
        lag_seconds = GaugeMetricFamily(
            "paperboy_index_lag_seconds",
            "Seconds between the newest paper change and the keyword index's position "
            "(0 when the index is current).",
        )
        lag_seconds.add_metric([], seconds)
        yield lag_seconds
        counts = store.digests.outbox_counts()
        sent = CounterMetricFamily(
            "paperboy_digests_sent", "Digests sent (rows of the digest outbox marked sent)."
        )
        sent.add_metric([], counts.get("sent", 0))
        yield sent
        outbox = GaugeMetricFamily(
            "paperboy_digest_outbox", "Digest outbox rows by status.", labels=["status"]
        )
        for status, n in sorted(counts.items()):
            outbox.add_metric([status], n)
        yield outbox
        yield from job_queue_figures(store)


def job_queue_figures(store: Store) -> Iterator[Metric]:
    """The job table of `paperboy worker`: jobs by kind and state, and how long the
    oldest due job of each kind has waited (0 when none waits)."""
    status = store.jobs.status(failures=0)
    depth = GaugeMetricFamily(
        "paperboy_jobs", "Jobs in the job table by kind and state.", labels=["kind", "state"]
    )
    waited = GaugeMetricFamily(
        "paperboy_job_oldest_due_seconds",
        "Seconds the oldest due queued job of a kind has waited for a worker.",
        labels=["kind"],
    )
    for kind in status.kinds:
        for state, n in (
            ("queued", kind.queued),
            ("running", kind.running),
            ("failed", kind.failed),
        ):
            depth.add_metric([kind.kind, state], n)
        oldest = kind.oldest_due
        waited.add_metric([kind.kind], 0.0 if oldest is None else _age(oldest))
    yield depth
    yield waited
