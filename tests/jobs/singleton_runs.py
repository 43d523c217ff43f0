"""Run one periodic job of `paperboy worker` (a singleton of the job table) now, with a
real JobRunner: the tests of the scheduled syncs and harvest drive the same handler a
worker does."""

from __future__ import annotations

import time

from sqlalchemy import update

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.store import Store
from paperboy.store.jobs import JobRow
from paperboy.store.models import jobs
from paperboy.workqueue.runner import JobRunner, RunnerSettings
from paperboy.workqueue.singletons import ensure_singletons, worker_singletons

FAST = RunnerSettings(
    lease_seconds=30, heartbeat_seconds=0.1, backoff_seconds=30, poll_seconds=0.05
)


def singleton_runner(store: Store, settings: Settings, kind: str) -> JobRunner:
    """A runner of the singleton ``kind`` under ``settings``, its row created."""
    singletons = [s for s in worker_singletons(store, settings) if s.handler.kind == kind]
    assert singletons, f"{kind} is not turned on by these settings"
    ensure_singletons(store, singletons)
    return JobRunner(store, [s.handler for s in singletons], FAST, owner="test-worker")


def run_now(store: Store, runner: JobRunner, kind: str) -> JobRow:
    """Make the row due (whatever its schedule or backoff), run it once, return the row."""
    with store.engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.kind == kind).values(run_after=utcnow()))
    deadline = time.monotonic() + 20
    while not runner.run_once():
        assert time.monotonic() < deadline, f"{kind} was never claimed"
        time.sleep(0.02)
    row = store.jobs.get(kind, kind)
    assert row is not None and row.state == "queued"  # a periodic job is never given up
    return row
