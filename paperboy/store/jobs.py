"""The job table as a queue with leases: PostgreSQL (or SQLite's single writer) is the
broker, so several `paperboy worker` processes share the background work without
doing any unit twice.

- ``enqueue`` is idempotent: a job is unique per (kind, key).
- ``claim`` takes the oldest due job of some kinds: queued with ``run_after`` passed,
  or running with an expired lease (its worker died). On PostgreSQL the candidate row
  is locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimants pass each other
  by; on both databases the UPDATE that takes it re-checks its state (compare and set),
  so two claimants never hold the same job.
- The holder renews its lease with ``heartbeat``; ``complete``, ``fail`` (retry with
  exponential backoff, ``failed`` after ``max_attempts``) and ``reschedule`` (a
  periodic job's next run) only act while the caller still holds the lease.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from paperboy.clock import utcnow
from paperboy.store._rows import Repository
from paperboy.store.db import insert_ignoring_duplicates, skip_locked_rows
from paperboy.store.models import jobs

JobState = Literal["queued", "running", "done", "failed"]
OPEN_STATES = ("queued", "running")
MAX_BACKOFF_SECONDS = 3600.0
# A periodic job is never marked failed: it retries with backoff until a run succeeds.
PERIODIC_ATTEMPTS = 1_000_000
_CLAIM_TRIES = 20  # candidates tried when other claimants keep winning the race


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int  # this claim included
    max_attempts: int
    owner: str
    lease_expires_at: datetime


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    kind: str
    key: str
    state: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    run_after: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    heartbeat_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class KindSummary:
    kind: str
    queued: int
    running: int
    failed: int
    done_24h: int
    oldest_due: datetime | None  # the longest-waiting queued job that is due


@dataclass(frozen=True, slots=True)
class QueueStatus:
    now: datetime
    kinds: list[KindSummary]
    leases: list[JobRow]  # running jobs, soonest expiry first
    failures: list[JobRow]  # failed jobs and jobs waiting to retry, newest first


def _payload(text: str | None) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {"value": value}


def _row(row: Any) -> JobRow:
    return JobRow(
        id=row.id,
        kind=row.kind,
        key=row.key,
        state=row.state,
        payload=_payload(row.payload),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        run_after=row.run_after,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        heartbeat_at=row.heartbeat_at,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    j = jobs.c
    return or_(
        and_(j.state == "queued", j.run_after <= now),
        and_(j.state == "running", j.lease_expires_at < now),
    )


def _held(job_id: int, owner: str) -> ColumnElement[bool]:
    j = jobs.c
    return and_(j.id == job_id, j.state == "running", j.lease_owner == owner)


def backoff_delay(attempts: int, base_seconds: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base, 2x, 4x, ...
    (at most an hour)."""
    return float(min(MAX_BACKOFF_SECONDS, base_seconds * 2 ** max(0, attempts - 1)))


class JobStore(Repository):
    def enqueue(
        self,
        kind: str,
        key: str,
        payload: dict[str, Any] | None = None,
        *,
        run_after: datetime | None = None,
        max_attempts: int = 5,
    ) -> bool:
        """Add a queued job; False (and nothing changes) when (kind, key) exists."""
        return (
            self.enqueue_many(
                kind, [(key, payload or {})], run_after=run_after, max_attempts=max_attempts
            )
            == 1
        )

    def enqueue_many(
        self,
        kind: str,
        items: Sequence[tuple[str, dict[str, Any]]],
        *,
        run_after: datetime | None = None,
        max_attempts: int = 5,
    ) -> int:
        """Add several queued jobs in one transaction; returns how many were new."""
        if not items:
            return 0
        now = utcnow()
        rows = [
            {
                "kind": kind,
                "key": key,
                "state": "queued",
                "payload": json.dumps(payload, separators=(",", ":")),
                "attempts": 0,
                "max_attempts": max_attempts,
                "run_after": run_after or now,
                "created_at": now,
                "updated_at": now,
            }
            for key, payload in items
        ]
        with self.engine.begin() as conn:
            # RETURNING counts the rows inserted (executemany's rowcount is not reliable).
            stmt = insert_ignoring_duplicates(self.engine, jobs).returning(jobs.c.id)
            return len(conn.execute(stmt, rows).all())

    def ensure_periodic(self, kind: str, key: str, *, first_run: datetime, every: float) -> None:
        """The row of a periodic job: created due at ``first_run`` when missing; a queued
        row due later than one interval from now (the interval was shortened) is pulled
        in to now + ``every``."""
        if self.enqueue(kind, key, run_after=first_run, max_attempts=PERIODIC_ATTEMPTS):
            return
        latest = utcnow() + timedelta(seconds=every)
        j = jobs.c
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(j.kind == kind, j.key == key, j.state == "queued", j.run_after > latest)
                .values(run_after=latest)
            )

    def claim(self, kinds: Iterable[str], owner: str, lease_seconds: float) -> ClaimedJob | None:
        """Take the oldest due job of ``kinds`` for ``owner`` (None when there is none).
        A job whose lease expired after its last allowed attempt is marked failed
        instead of being handed out again."""
        kinds = list(kinds)
        j = jobs.c
        for _ in range(_CLAIM_TRIES):
            now = utcnow()
            with self.engine.begin() as conn:
                candidate = skip_locked_rows(
                    self.engine,
                    select(j.id, j.state, j.attempts, j.max_attempts, j.lease_owner)
                    .where(j.kind.in_(kinds), _claimable(now))
                    .order_by(j.run_after, j.id)
                    .limit(1),
                )
                row = conn.execute(candidate).first()
                if row is None:
                    return None
                # Compare and set: the row must still be what we read (on SQLite another
                # process may have taken it between the SELECT and this UPDATE).
                still = and_(j.id == row.id, j.state == row.state, _claimable(now))
                if row.state == "running" and row.attempts >= row.max_attempts:
                    conn.execute(
                        update(jobs)
                        .where(still)
                        .values(
                            state="failed",
                            last_error=f"lease of {row.lease_owner} expired on attempt "
                            f"{row.attempts} of {row.max_attempts}",
                            lease_owner=None,
                            lease_expires_at=None,
                            updated_at=now,
                        )
                    )
                    continue
                expires = now + timedelta(seconds=lease_seconds)
                taken = conn.execute(
                    update(jobs)
                    .where(still)
                    .values(
                        state="running",
                        lease_owner=owner,
                        lease_expires_at=expires,
                        heartbeat_at=now,
                        attempts=j.attempts + 1,
                        updated_at=now,
                    )
                ).rowcount
                if taken != 1:
                    continue  # lost the race for this one; look again
                got = conn.execute(
                    select(j.kind, j.key, j.payload, j.attempts, j.max_attempts).where(
                        j.id == row.id
                    )
                ).one()
                return ClaimedJob(
                    id=row.id,
                    kind=got.kind,
                    key=got.key,
                    payload=_payload(got.payload),
                    attempts=got.attempts,
                    max_attempts=got.max_attempts,
                    owner=owner,
                    lease_expires_at=expires,
                )
        return None

    def _update_held(self, job_id: int, owner: str, **values: Any) -> bool:
        values.setdefault("updated_at", utcnow())
        with self.engine.begin() as conn:
            changed = conn.execute(update(jobs).where(_held(job_id, owner)).values(**values))
            return changed.rowcount == 1

    def heartbeat(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        """Extend ``owner``'s lease; False when it no longer holds the job."""
        now = utcnow()
        return self._update_held(
            job_id,
            owner,
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )

    def save_payload(self, job_id: int, owner: str, payload: dict[str, Any]) -> bool:
        """Record progress (a harvest's position) so a worker taking over resumes there."""
        return self._update_held(job_id, owner, payload=json.dumps(payload))

    def complete(self, job_id: int, owner: str, payload: dict[str, Any] | None = None) -> bool:
        """Mark the job done (with its final payload, e.g. what it counted)."""
        now = utcnow()
        values: dict[str, Any] = {
            "state": "done",
            "finished_at": now,
            "lease_owner": None,
            "lease_expires_at": None,
            "last_error": None,
            "updated_at": now,
        }
        if payload is not None:
            values["payload"] = json.dumps(payload, separators=(",", ":"))
        return self._update_held(job_id, owner, **values)

    def reschedule(
        self,
        job_id: int,
        owner: str,
        run_after: datetime,
        *,
        error: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Queue the job again for ``run_after`` (a periodic job's next run). Without
        ``error`` the run succeeded: attempts start again from zero."""
        now = utcnow()
        values: dict[str, Any] = {
            "state": "queued",
            "run_after": run_after,
            "lease_owner": None,
            "lease_expires_at": None,
            "last_error": error,
            "updated_at": now,
        }
        if error is None:
            values["attempts"] = 0
            values["finished_at"] = now
        if payload is not None:
            values["payload"] = json.dumps(payload)
        return self._update_held(job_id, owner, **values)

    def fail(
        self, job_id: int, owner: str, error: str, *, backoff_seconds: float
    ) -> JobState | None:
        """Record a failed attempt: queued again after an exponential backoff, or
        ``failed`` once its attempts are used up. None when ``owner`` lost the lease."""
        j = jobs.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(j.attempts, j.max_attempts).where(_held(job_id, owner))
            ).first()
        if row is None:
            return None
        now = utcnow()
        error = error[:4000]
        if row.attempts >= row.max_attempts:
            done = self._update_held(
                job_id,
                owner,
                state="failed",
                last_error=error,
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now,
            )
            return "failed" if done else None
        retry_at = now + timedelta(seconds=backoff_delay(row.attempts, backoff_seconds))
        done = self._update_held(
            job_id,
            owner,
            state="queued",
            run_after=retry_at,
            last_error=error,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
        return "queued" if done else None

    def release(self, job_id: int, owner: str) -> bool:
        """Give a job back untouched (a worker stopping before it began the work): queued
        at once, this claim not counted as an attempt."""
        return self._update_held(
            job_id,
            owner,
            state="queued",
            attempts=jobs.c.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
        )

    def requeue_failed(self, job_id: int, payload: dict[str, Any]) -> bool:
        """Queue a failed job again with ``payload`` and its attempts from zero, keeping
        its last error (`jobs status` shows it as retrying); False unless it was failed."""
        j, now = jobs.c, utcnow()
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(jobs)
                .where(j.id == job_id, j.state == "failed")
                .values(state="queued", attempts=0, run_after=now, updated_at=now)
                .values(payload=json.dumps(payload, separators=(",", ":")))
            )
            return changed.rowcount == 1

    def requeue_expired(self) -> int:
        """Queue again every running job whose lease expired (failed when it had no
        attempts left); ``claim`` does the same for the job it takes."""
        now = utcnow()
        j = jobs.c
        expired = and_(j.state == "running", j.lease_expires_at < now)
        with self.engine.begin() as conn:
            failed = conn.execute(
                update(jobs)
                .where(expired, j.attempts >= j.max_attempts)
                .values(
                    state="failed",
                    last_error="lease expired on its last attempt",
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
            ).rowcount
            queued = conn.execute(
                update(jobs)
                .where(expired)
                .values(
                    state="queued",
                    last_error="lease expired",
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
            ).rowcount
        return int(failed + queued)

    def get(self, kind: str, key: str) -> JobRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.kind == kind, jobs.c.key == key)).first()
        return _row(row) if row is not None else None

    def list_jobs(self, kind: str, states: Sequence[str] | None = None) -> list[JobRow]:
        stmt = select(jobs).where(jobs.c.kind == kind).order_by(jobs.c.id)
        if states is not None:
            stmt = stmt.where(jobs.c.state.in_(list(states)))
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def status(self, *, failures: int = 10) -> QueueStatus:
        """Per kind: queued, running, failed, done in the last 24 h and the oldest due
        queued job; the current leases; the latest failures with their errors."""
        now = utcnow()
        day_ago = now - timedelta(days=1)
        j = jobs.c
        counts: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for kind, state, n in conn.execute(
                select(j.kind, j.state, func.count()).group_by(j.kind, j.state)
            ):
                counts.setdefault(kind, {})[state] = int(n)
            for kind, n in conn.execute(
                select(j.kind, func.count())
                .where(j.finished_at >= day_ago, j.last_error.is_(None))
                .group_by(j.kind)
            ):
                counts.setdefault(kind, {})["done_24h"] = int(n)
            for kind, oldest in conn.execute(
                select(j.kind, func.min(j.run_after))
                .where(j.state == "queued", j.run_after <= now)
                .group_by(j.kind)
            ):
                counts.setdefault(kind, {})["oldest"] = oldest
            leases = [
                _row(r)
                for r in conn.execute(
                    select(jobs).where(j.state == "running").order_by(j.lease_expires_at)
                )
            ]
            failed = [
                _row(r)
                for r in conn.execute(
                    select(jobs)
                    .where(
                        or_(
                            j.state == "failed",
                            and_(j.state == "queued", j.last_error.is_not(None)),
                        )
                    )
                    .order_by(j.updated_at.desc())
                    .limit(failures)
                )
            ]
        kinds = [
            KindSummary(
                kind=kind,
                queued=c.get("queued", 0),
                running=c.get("running", 0),
                failed=c.get("failed", 0),
                done_24h=c.get("done_24h", 0),
                oldest_due=c.get("oldest"),
            )
            for kind, c in sorted(counts.items())
        ]
        return QueueStatus(now=now, kinds=kinds, leases=leases, failures=failed)

    def purge(self, *, done_before: datetime, failed_before: datetime | None = None) -> int:
        """Delete finished jobs: done before ``done_before``, failed (untouched) before
        ``failed_before``. Periodic jobs are never finished, so they stay."""
        j = jobs.c
        gone = or_(and_(j.state == "done", j.finished_at < done_before))
        if failed_before is not None:
            gone = or_(gone, and_(j.state == "failed", j.updated_at < failed_before))
        with self.engine.begin() as conn:
            return int(conn.execute(delete(jobs).where(gone)).rowcount)
