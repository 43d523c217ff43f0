"""The job table as a queue (``store.jobs``), on SQLite and PostgreSQL: idempotent
enqueue, one claimant per job under concurrency, leases that expire and heartbeats
that keep them, retries with backoff, status and purge."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from paperboy.clock import utcnow
from paperboy.store import Store
from paperboy.store.jobs import backoff_delay
from paperboy.store.models import jobs


def _expire(store: Store, key: str) -> None:
    """End a lease now, as time would (a short real lease is flaky on a busy machine)."""
    with store.engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.key == key)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_enqueue_is_idempotent_per_kind_and_key(store: Store) -> None:
    assert store.jobs.enqueue("embed_batch", "a", {"papers": [1, 2]})
    assert not store.jobs.enqueue("embed_batch", "a", {"papers": [3]})
    assert store.jobs.enqueue("harvest", "a")  # another kind, same key
    assert store.jobs.enqueue_many("embed_batch", [("a", {}), ("b", {}), ("c", {})]) == 2
    row = store.jobs.get("embed_batch", "a")
    assert row is not None and row.payload == {"papers": [1, 2]} and row.state == "queued"
    assert [j.key for j in store.jobs.list_jobs("embed_batch")] == ["a", "b", "c"]


def test_claim_takes_the_oldest_due_job_of_the_kinds_asked(store: Store) -> None:
    later = utcnow() + timedelta(hours=1)
    store.jobs.enqueue("harvest", "future", run_after=later)
    store.jobs.enqueue("other", "x")
    store.jobs.enqueue("harvest", "first")
    store.jobs.enqueue("harvest", "second")
    job = store.jobs.claim(["harvest"], "w1", 60)
    assert job is not None and (job.kind, job.key, job.attempts) == ("harvest", "first", 1)
    again = store.jobs.claim(["harvest"], "w2", 60)
    assert again is not None and again.key == "second"
    assert store.jobs.claim(["harvest"], "w3", 60) is None  # the future one is not due
    row = store.jobs.get("harvest", "first")
    assert row is not None and row.state == "running" and row.lease_owner == "w1"
    assert row.lease_expires_at is not None and row.lease_expires_at > utcnow()


def test_concurrent_claimants_never_share_a_job(db_url: str) -> None:
    stores = [Store.open(db_url) for _ in range(4)]
    try:
        stores[0].jobs.enqueue_many("embed_batch", [(f"k{i}", {"i": i}) for i in range(40)])
        claimed: dict[str, list[int]] = {}
        errors: list[BaseException] = []

        def claim_all(store: Store, owner: str) -> None:
            try:
                mine = claimed.setdefault(owner, [])
                while (job := store.jobs.claim(["embed_batch"], owner, 60)) is not None:
                    mine.append(job.id)
                    assert store.jobs.complete(job.id, owner)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [
            threading.Thread(target=claim_all, args=(s, f"w{n}")) for n, s in enumerate(stores)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        every = [i for ids in claimed.values() for i in ids]
        assert len(every) == 40 and len(set(every)) == 40
        done = stores[0].jobs.list_jobs("embed_batch", ["done"])
        assert len(done) == 40 and all(j.attempts == 1 for j in done)
    finally:
        for s in stores:
            s.close()


def test_postgres_claim_skips_a_row_locked_by_another_connection(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    try:
        store.jobs.enqueue("harvest", "a")
        store.jobs.enqueue("harvest", "b")
        with store.engine.connect() as other:
            # Another claimant in the middle of its claim of "a" (row locked, not yet
            # updated): this claim passes it by at once instead of waiting.
            other.begin()
            other.execute(select(jobs.c.id).where(jobs.c.key == "a").with_for_update())
            started = time.monotonic()
            job = store.jobs.claim(["harvest"], "w1", 60)
            assert job is not None and job.key == "b"
            assert time.monotonic() - started < 2
            other.rollback()
        job = store.jobs.claim(["harvest"], "w2", 60)
        assert job is not None and job.key == "a"
    finally:
        store.close()


def test_an_expired_lease_is_claimed_again_and_the_old_owner_loses_it(store: Store) -> None:
    store.jobs.enqueue("embed_batch", "a")
    first = store.jobs.claim(["embed_batch"], "dead-worker", 60)
    assert first is not None
    assert store.jobs.claim(["embed_batch"], "w2", 60) is None  # lease still valid
    _expire(store, "a")
    second = store.jobs.claim(["embed_batch"], "w2", 60)
    assert second is not None and second.id == first.id and second.attempts == 2
    # The dead worker's late calls change nothing.
    assert not store.jobs.heartbeat(first.id, "dead-worker", 60)
    assert not store.jobs.complete(first.id, "dead-worker")
    assert store.jobs.fail(first.id, "dead-worker", "boom", backoff_seconds=0) is None
    assert store.jobs.complete(second.id, "w2")
    row = store.jobs.get("embed_batch", "a")
    assert row is not None and row.state == "done" and row.lease_owner is None


def test_heartbeats_keep_the_lease(store: Store) -> None:
    store.jobs.enqueue("harvest", "a")
    job = store.jobs.claim(["harvest"], "w1", 1.0)
    assert job is not None
    for _ in range(5):  # 1.5 s in all, longer than the lease
        time.sleep(0.3)
        assert store.jobs.heartbeat(job.id, "w1", 1.0)
        assert store.jobs.claim(["harvest"], "w2", 60) is None
    time.sleep(1.1)  # no more heartbeats: the lease runs out
    assert store.jobs.claim(["harvest"], "w2", 60) is not None


def test_failures_back_off_exponentially_then_fail(store: Store) -> None:
    assert [backoff_delay(n, 10) for n in (1, 2, 3)] == [10, 20, 40]
    assert backoff_delay(30, 10) == 3600  # at most an hour
    store.jobs.enqueue("embed_batch", "a", max_attempts=3)
    job = store.jobs.claim(["embed_batch"], "w1", 60)
    assert job is not None
    before = utcnow()
    assert store.jobs.fail(job.id, "w1", "first error", backoff_seconds=10) == "queued"
    row = store.jobs.get("embed_batch", "a")
    assert row is not None and row.state == "queued" and row.last_error == "first error"
    assert timedelta(seconds=9) < row.run_after - before < timedelta(seconds=11)
    assert store.jobs.claim(["embed_batch"], "w1", 60) is None  # backing off
    with store.engine.begin() as conn:  # let the backoff pass
        conn.execute(update(jobs).values(run_after=utcnow() - timedelta(seconds=1)))
    job = store.jobs.claim(["embed_batch"], "w1", 60)
    assert job is not None and job.attempts == 2
    before = utcnow()
    assert store.jobs.fail(job.id, "w1", "second error", backoff_seconds=10) == "queued"
    row = store.jobs.get("embed_batch", "a")
    assert row is not None
    assert timedelta(seconds=19) < row.run_after - before < timedelta(seconds=21)
    with store.engine.begin() as conn:
        conn.execute(update(jobs).values(run_after=utcnow() - timedelta(seconds=1)))
    job = store.jobs.claim(["embed_batch"], "w1", 60)
    assert job is not None and job.attempts == 3
    assert store.jobs.fail(job.id, "w1", "third error", backoff_seconds=10) == "failed"
    assert store.jobs.claim(["embed_batch"], "w1", 60) is None
    status = store.jobs.status()
    assert [(k.kind, k.failed, k.queued) for k in status.kinds] == [("embed_batch", 1, 0)]
    assert [(f.key, f.last_error) for f in status.failures] == [("a", "third error")]


def test_an_expired_lease_on_the_last_attempt_fails_the_job(store: Store) -> None:
    store.jobs.enqueue("embed_batch", "a", max_attempts=1)
    assert store.jobs.claim(["embed_batch"], "dead", 60) is not None
    _expire(store, "a")
    assert store.jobs.claim(["embed_batch"], "w2", 60) is None
    row = store.jobs.get("embed_batch", "a")
    assert row is not None and row.state == "failed"
    assert row.last_error is not None and "lease of dead expired" in row.last_error


def test_requeue_expired_release_reschedule_and_purge(store: Store) -> None:
    store.jobs.enqueue_many("embed_batch", [("a", {}), ("b", {})])
    a = store.jobs.claim(["embed_batch"], "dead", 60)
    b = store.jobs.claim(["embed_batch"], "w1", 60)
    assert a is not None and b is not None and (a.key, b.key) == ("a", "b")
    _expire(store, "a")
    assert store.jobs.requeue_expired() == 1
    row = store.jobs.get("embed_batch", "a")
    assert row is not None and row.state == "queued" and row.last_error == "lease expired"
    assert store.jobs.release(b.id, "w1")
    row = store.jobs.get("embed_batch", "b")
    assert row is not None and row.state == "queued" and row.attempts == 0
    # A periodic row: rescheduled after each run, attempts from zero, payload kept.
    store.jobs.enqueue("harvest", "cs")
    h = store.jobs.claim(["harvest"], "w1", 60)
    assert h is not None
    at = utcnow() + timedelta(minutes=30)
    assert store.jobs.reschedule(h.id, "w1", at, payload={"set": "cs"})
    row = store.jobs.get("harvest", "cs")
    assert row is not None and row.state == "queued" and row.attempts == 0
    assert row.payload == {"set": "cs"} and row.finished_at is not None
    # Purge: done rows older than the cut-off go; the periodic row stays.
    for _ in ("a", "b"):
        job = store.jobs.claim(["embed_batch"], "w1", 60)
        assert job is not None and store.jobs.complete(job.id, "w1", {"embedded": 3})
    assert store.jobs.status().kinds[0].done_24h == 2
    assert store.jobs.purge(done_before=utcnow() - timedelta(days=7)) == 0
    assert store.jobs.purge(done_before=utcnow() + timedelta(seconds=1)) == 2
    assert store.jobs.list_jobs("embed_batch") == []
    assert store.jobs.get("harvest", "cs") is not None


@pytest.mark.parametrize("lease", [60.0])
def test_status_lists_leases_and_the_oldest_due_job(store: Store, lease: float) -> None:
    store.jobs.enqueue_many("embed_batch", [("a", {}), ("b", {})])
    job = store.jobs.claim(["embed_batch"], "host:123", lease)
    assert job is not None
    status = store.jobs.status()
    (kind,) = status.kinds
    assert (kind.kind, kind.queued, kind.running, kind.failed) == ("embed_batch", 1, 1, 0)
    assert kind.oldest_due is not None and kind.oldest_due <= status.now
    (held,) = status.leases
    assert held.lease_owner == "host:123" and held.key == "a"


def test_metrics_show_the_queue_depth(store: Store) -> None:
    from paperboy.ops.telemetry import job_queue_figures

    store.jobs.enqueue_many("embed_batch", [("a", {}), ("b", {})])
    assert store.jobs.claim(["embed_batch"], "w", 60) is not None
    figures = {
        (m.name, tuple(sorted(s.labels.items()))): s.value
        for m in job_queue_figures(store)
        for s in m.samples
    }
    assert figures[("paperboy_jobs", (("kind", "embed_batch"), ("state", "queued")))] == 1
    assert figures[("paperboy_jobs", (("kind", "embed_batch"), ("state", "running")))] == 1
    assert figures[("paperboy_jobs", (("kind", "embed_batch"), ("state", "failed")))] == 0
    assert figures[("paperboy_job_oldest_due_seconds", (("kind", "embed_batch"),))] >= 0
