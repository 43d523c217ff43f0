"""Prometheus instruments of the process: web requests, scheduled and background jobs.

The instruments live here, in a leaf, so the periodic job runner and the search indexer
can count their runs without knowing the web app. Values that are read from the database
(embedding backlog, index lag, digest outbox) are not kept here: ``ops/telemetry.py``
computes them when ``/metrics`` is scraped.

Several processes (``uvicorn --workers``, gunicorn, a separate worker) each keep their
own counters. With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts) every
process writes its samples to files in that folder and the process that answers the
scrape adds them all up, so one scrape of any process sees the whole site. The folder must
exist, be writable by every process and be emptied before the service starts (see
docs/deploy.md)."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import time
from collections.abc import Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.multiprocess import mark_process_dead as _mark_process_dead
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Routes no route template matched (404s, scanners): one label, so a scanner probing a
# million paths cannot create a million time series.
UNMATCHED_ROUTE = "(unmatched)"

# Pages take milliseconds; a cold search or a slow database may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

HTTP_REQUESTS = Counter(
    "paperboy_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "paperboy_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
# Live-only: a process's share disappears when it exits (mark_process_dead), so the sum
# is the requests being answered now across the live processes.
HTTP_IN_PROGRESS = Gauge(
    "paperboy_http_requests_in_progress",
    "HTTP requests being answered now (all live processes together), by method.",
    ["method"],  # labelled so its file is made at the first request, not at import
    multiprocess_mode="livesum",
)
JOB_RUNS = Counter(
    "paperboy_job_runs", "Finished runs of a scheduled or background job, by kind.", ["kind"]
)
JOB_FAILURES = Counter(
    "paperboy_job_failures", "Runs of a job that ended with an error, by kind.", ["kind"]
)
JOB_DURATION = Histogram(
    "paperboy_job_duration_seconds",
    "How long a run of a job took (failed runs included), by kind.",
    ["kind"],
    buckets=JOB_BUCKETS,
)
JOB_ITEMS = Counter(
    "paperboy_job_items",
    "Units of work a job finished, by kind and what they are (papers indexed, embedded).",
    ["kind", "item"],
)


def multiprocess_dir() -> str | None:
    """The folder of multi-process mode, or None in single-process mode."""
    return os.environ.get(MULTIPROC_ENV) or None


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method, route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_LATENCY.labels(*labels).observe(seconds)


@contextlib.contextmanager
def in_progress(method: str) -> Iterator[None]:
    """Count a request as being answered while the block runs. A vanished
    PROMETHEUS_MULTIPROC_DIR (its file cannot be made) must not fail the request."""
    try:
        gauge = HTTP_IN_PROGRESS.labels(method)
        gauge.inc()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        gauge.dec()


@contextlib.contextmanager
def observe_job(kind: str) -> Iterator[None]:
    """Count a run of ``kind`` with its duration; an exception counts as a failure and
    goes on to the caller."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        JOB_FAILURES.labels(kind).inc()
        raise
    finally:
        JOB_DURATION.labels(kind).observe(time.perf_counter() - started)
        JOB_RUNS.labels(kind).inc()


def count_items(kind: str, item: str, n: int) -> None:
    if n > 0:
        JOB_ITEMS.labels(kind, item).inc(n)


def exposition(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text exposition (and its content type) of this process's instruments, or of
    every process's in multi-process mode, plus ``extra`` collectors evaluated now."""
    registry = CollectorRegistry(auto_describe=False)
    folder = multiprocess_dir()
    if folder is not None:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        # The default registry: this process's instruments plus Python's process and
        # garbage-collector figures.
        registry.register(_DefaultRegistry())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _DefaultRegistry(Collector):
    """The global registry seen as one collector, so a scrape-time registry can hold it
    next to collectors that exist only for one scrape."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def mark_process_dead(pid: int) -> None:
    """In multi-process mode, forget the live-only samples (the in-progress gauge) of a
    process that exited. Its counters and histograms stay: they are totals, and a
    scrape must not see them go down."""
    folder = multiprocess_dir()
    if folder is not None:
        _mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]


_LIVE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db$")


def forget_dead_processes() -> list[int]:
    """In multi-process mode, mark dead every process whose live-only samples are still
    in the folder although it no longer runs (a SIGKILL, an OOM kill: no exit hook ran);
    called when a process starts. Returns their pids."""
    folder = multiprocess_dir()
    if folder is None:
        return []
    dead = set()
    for path in glob.glob(os.path.join(folder, "gauge_live*.db")):
        found = _LIVE_FILE.search(os.path.basename(path))
        if found and not _running(int(found.group(1))):
            dead.add(int(found.group(1)))
    for pid in sorted(dead):
        mark_process_dead(pid)
    return sorted(dead)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, under another user
        return True
    return True


def forget_this_process() -> None:
    """This process is ending: forget its live-only samples (the web app's shutdown
    calls it; interpreter exit does too, for processes without an app)."""
    # OSError: the folder went first (systemd removing its RuntimeDirectory).
    with contextlib.suppress(OSError):
        mark_process_dead(os.getpid())


# `paperboy worker`, a single `serve` and the parent of `serve --workers N` exit through
# the interpreter's exit; the web processes of `--workers N` do not run atexit hooks
# (uvicorn ends them otherwise), so their app's shutdown calls forget_this_process.
atexit.register(forget_this_process)
