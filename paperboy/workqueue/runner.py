"""The job runner of `paperboy worker`: claims a due job from the job table
(``store.jobs``), runs its kind's handler while a second thread renews the lease,
then completes it, reschedules it (periodic jobs) or records the failure (retried
with exponential backoff, failed after PAPERBOY_JOB_MAX_ATTEMPTS).

A worker that dies stops heartbeating; its lease expires after
PAPERBOY_JOB_LEASE_SECONDS and another worker's claim takes the job over. So every
handler must be safe to run again after a partial run: embedding batches skip papers
that got their vector meanwhile, harvests resume from their committed position.

One line per job goes to the log (``job kind=... key=... outcome=... seconds=...``)
and the runs, failures, durations and items of each kind to ``/metrics``."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.errors import PaperboyError
from paperboy.metrics import count_items, observe_job
from paperboy.store import Store
from paperboy.store.jobs import ClaimedJob, backoff_delay

log = logging.getLogger("paperboy.jobs")


def worker_owner() -> str:
    """The lease owner of this process: host:pid (what `paperboy jobs status` shows)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobStopped(Exception):
    """Raised by a handler that stopped early (the worker is stopping, or another worker
    took the job over) before doing its work: the job goes back to the queue as it was."""


@dataclass
class JobContext:
    """What a handler gets: its job, the worker's stop event, and ``lost`` (set when
    another worker took the job over: stop soon, the other one finishes it)."""

    job: ClaimedJob
    stop: threading.Event
    lost: threading.Event
    save_payload: Callable[[dict[str, Any]], bool]

    @property
    def cancelled(self) -> bool:
        return self.stop.is_set() or self.lost.is_set()


@dataclass
class JobResult:
    """What a run did: ``items`` units (papers embedded...) named ``item``; ``payload``
    to store with the finished job; ``run_again_at`` to queue it again (periodic jobs
    default to now + their interval)."""

    items: int = 0
    item: str = "items"
    payload: dict[str, Any] | None = None
    run_again_at: datetime | None = None


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[[JobContext], JobResult]
    # Seconds between runs of a periodic job (one row, queued again after each run);
    # None for one-off jobs, which end done or failed.
    every: float | None = None


@dataclass(frozen=True)
class RunnerSettings:
    lease_seconds: float = 60.0
    heartbeat_seconds: float = 15.0
    backoff_seconds: float = 30.0
    poll_seconds: float = 1.0

    @classmethod
    def of(cls, settings: Settings, *, poll_seconds: float = 1.0) -> RunnerSettings:
        return cls(
            lease_seconds=settings.job_lease_seconds,
            heartbeat_seconds=min(settings.job_heartbeat_seconds, settings.job_lease_seconds / 3),
            backoff_seconds=settings.job_backoff_seconds,
            poll_seconds=poll_seconds,
        )


@dataclass
class RunnerCounts:
    """What this runner did, by kind (tests and the log read them)."""

    runs: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)


class JobRunner:
    def __init__(
        self,
        store: Store,
        handlers: Sequence[Handler],
        config: RunnerSettings,
        *,
        owner: str | None = None,
        setup: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.config = store, config
        self.handlers = {h.kind: h for h in handlers}
        self.owner = owner or worker_owner()
        self.setup = setup  # before the first claim: e.g. make sure periodic rows exist
        self.counts = RunnerCounts()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="paperboy-jobs", daemon=True)

    @property
    def kinds(self) -> list[str]:
        return list(self.handlers)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming and wait up to ``timeout`` for the job in progress (handlers
        check the stop event between steps). A job still running then (a map build
        cannot be interrupted) dies with the process: every handler is safe to rerun,
        and its lease expires so that another worker, or this one restarted, redoes it."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("job runner: a job is still running; its lease will expire")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database went away for a moment: try again soon
                log.exception("job runner: claiming a job failed")
                ran = False
            if not ran:
                self._stop.wait(self.config.poll_seconds)

    def run_once(self) -> bool:
        """Claim one due job and run it; False when none was due."""
        if self.setup is not None:
            self.setup()
            self.setup = None
        job = self.store.jobs.claim(self.kinds, self.owner, self.config.lease_seconds)
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: ClaimedJob) -> None:
        handler = self.handlers[job.kind]
        lost, finished = threading.Event(), threading.Event()
        beat = threading.Thread(
            target=self._heartbeat,
            args=(job, lost, finished),
            name="paperboy-heartbeat",
            daemon=True,
        )
        context = JobContext(
            job, self._stop, lost, lambda p: self.store.jobs.save_payload(job.id, job.owner, p)
        )
        started = time.perf_counter()
        beat.start()
        error: str | None = None
        result = JobResult()
        try:
            with observe_job(job.kind):  # runs, failures and duration in /metrics
                result = handler.run(context)
        except JobStopped:
            finished.set()
            beat.join()
            given_back = not lost.is_set() and self.store.jobs.release(job.id, job.owner)
            log.info(
                "job kind=%s key=%s outcome=%s seconds=%.3f attempt=%d",
                job.kind,
                job.key,
                "released" if given_back else "lease-lost",
                time.perf_counter() - started,
                job.attempts,
            )
            return
        except PaperboyError as exc:
            error = exc.detail
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s %s failed", job.kind, job.key)
        finally:
            finished.set()
            beat.join()
        seconds = time.perf_counter() - started
        self.counts.runs[job.kind] = self.counts.runs.get(job.kind, 0) + 1
        if error is None:
            count_items(job.kind, result.item, result.items)
            self.counts.items[job.kind] = self.counts.items.get(job.kind, 0) + result.items
        outcome = self._finish(job, handler, result, error)
        # A periodic run that found nothing to do (most embedding plans) is not news.
        idle = outcome == "done" and handler.every is not None and result.items == 0
        log.log(
            logging.DEBUG if idle else logging.INFO,
            "job kind=%s key=%s outcome=%s seconds=%.3f attempt=%d %s=%d%s",
            job.kind,
            job.key,
            outcome,
            seconds,
            job.attempts,
            result.item,
            result.items if error is None else 0,
            f" error={error!r}" if error else "",
        )

    def _finish(
        self, job: ClaimedJob, handler: Handler, result: JobResult, error: str | None
    ) -> str:
        jobs = self.store.jobs
        if error is not None:
            self.counts.failures[job.kind] = self.counts.failures.get(job.kind, 0) + 1
            if handler.every is not None:
                # A periodic job never gives up: retry with backoff, at most one
                # interval away.
                wait = min(backoff_delay(job.attempts, self.config.backoff_seconds), handler.every)
                kept = jobs.reschedule(
                    job.id, job.owner, utcnow() + timedelta(seconds=wait), error=error
                )
                return "retry" if kept else "lease-lost"
            state = jobs.fail(job.id, job.owner, error, backoff_seconds=self.config.backoff_seconds)
            return {"queued": "retry", "failed": "failed"}.get(state or "", "lease-lost")
        if handler.every is not None or result.run_again_at is not None:
            at = result.run_again_at or utcnow() + timedelta(seconds=handler.every or 0)
            kept = jobs.reschedule(job.id, job.owner, at, payload=result.payload)
            return "done" if kept else "lease-lost"
        kept = jobs.complete(job.id, job.owner, result.payload)
        return "done" if kept else "lease-lost"

    def _heartbeat(self, job: ClaimedJob, lost: threading.Event, finished: threading.Event) -> None:
        while not finished.wait(self.config.heartbeat_seconds):
            try:
                if not self.store.jobs.heartbeat(job.id, job.owner, self.config.lease_seconds):
                    log.warning("job %s %s: lease lost to another worker", job.kind, job.key)
                    lost.set()
                    return
            except Exception:  # a database blip: the lease has time left; beat again
                log.exception("job %s %s: heartbeat failed", job.kind, job.key)
