"""The job table: units of background work that several worker processes share, with
leases (see ``store/jobs.py`` and docs/deploy.md, "Jobs"). Re-exported by ``models``."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import DateTime, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from paperboy.store.models_base import Base


class Job(Base):
    """One unit of work of ``kind`` (an embedding batch, a scheduled harvest...), unique
    per (kind, key) so enqueueing twice is a no-op. ``state`` is queued, running, done
    or failed; a running job belongs to ``lease_owner`` (host:pid) until
    ``lease_expires_at``, which its heartbeats push forward; an expired lease may be
    claimed by another worker. ``payload`` is JSON text (the batch's paper ids, a
    harvest's position). A periodic job is one row per name whose ``run_after`` is its
    next due time."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_jobs_kind"),
        # The claim: due jobs of some kinds in order; and the status page's counts.
        Index("ix_jobs_state_run_after", "state", "run_after"),
        Index("ix_jobs_kind_state", "kind", "state"),
    )


jobs = cast(Table, Job.__table__)
