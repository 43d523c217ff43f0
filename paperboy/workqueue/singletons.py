"""The scheduled work of `paperboy worker` as periodic rows of the job table: one row per
job whose ``run_after`` is its next due time, so however many workers run, each job has
one claimant at a time and runs once per interval.

- ``harvest``: the OAI-PMH harvest of PAPERBOY_HARVEST_SETS. Its position (the next
  resumptionToken) is committed with every page in ``source_state``, so a worker that
  takes over an expired lease resumes the harvest where the dead one stopped; the set
  in progress is also kept in the job's payload for `paperboy jobs status`.
- ``hf_sync``, ``github_sync``: the source syncs, when their settings turn them on.
- ``map_refresh``: the topic maps of the recent periods.
- ``digest_run``: the digest sender (each digest is claimed once through the outbox
  anyway; the lease stops two workers contending for the same sends).
- ``cleanup``: sign-in tokens expired more than a day ago, finished jobs older than a
  week, failed ones older than a month; jobs whose lease expired are queued again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.digest.outbox import send_due_digests
from paperboy.errors import SourceError
from paperboy.ingest.github import sync_github
from paperboy.ingest.github_scheduler import github_job_enabled
from paperboy.ingest.harvest_scheduler import harvest_set, harvest_sets
from paperboy.ingest.hf_sync import sync_hf
from paperboy.maps.service import build_period, recent_periods
from paperboy.store import Store
from paperboy.workqueue.runner import Handler, JobContext, JobResult

log = logging.getLogger("paperboy.jobs")

CLEANUP_EVERY = 3600.0
DONE_KEPT = timedelta(days=7)
FAILED_KEPT = timedelta(days=30)
TOKENS_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Singleton:
    """A periodic job: its handler, its description, and when it first runs."""

    name: str  # what `paperboy worker` prints
    handler: Handler
    first_run: float  # seconds after the row is created (lets the service start first)


def cleanup(store: Store) -> int:
    """Delete what nobody needs any more; returns the number of rows deleted."""
    now = utcnow()
    tokens = store.accounts.purge_login_tokens(expired_before=now - TOKENS_KEPT)
    finished = store.jobs.purge(done_before=now - DONE_KEPT, failed_before=now - FAILED_KEPT)
    # Jobs of dead workers show as queued (or failed) in `jobs status` even while no
    # worker of their kind claims them.
    expired = store.jobs.requeue_expired()
    if tokens or finished or expired:
        log.info(
            "clean-up: %d expired sign-in tokens, %d finished jobs deleted, %d expired "
            "leases queued again",
            tokens,
            finished,
            expired,
        )
    return tokens + finished + expired


def _harvest(store: Store, settings: Settings) -> Callable[[JobContext], JobResult]:
    def run(context: JobContext) -> JobResult:
        added = 0
        for set_spec in harvest_sets(settings):
            if context.cancelled:
                break
            context.save_payload({"set": set_spec})
            report = harvest_set(store, settings, set_spec)
            added += report.added
            if report.error:  # retried with backoff; the next run resumes from the position
                raise SourceError(f"harvest of {set_spec} stopped: {report.error}")
        return JobResult(items=added, item="added", payload={"sets": harvest_sets(settings)})

    return run


def worker_singletons(store: Store, settings: Settings) -> list[Singleton]:
    """The periodic jobs a worker runs under these settings (those turned on)."""
    found: list[Singleton] = []

    def add(name: str, kind: str, every: float, first_run: float, job: Callable[[], int]) -> None:
        def run(_context: JobContext) -> JobResult:
            return JobResult(items=job(), item="items")

        found.append(Singleton(name, Handler(kind, run, every=every), first_run))

    if settings.digest_scheduler:

        def digests() -> int:
            result = send_due_digests(store, settings)
            log.info("%s", result.summary())
            return result.sent

        add("digests when due", "digest_run", settings.digest_check_minutes * 60.0, 15.0, digests)
    sets = harvest_sets(settings)
    if settings.harvest_minutes > 0 and sets:
        every = settings.harvest_minutes * 60.0
        handler = Handler("harvest", _harvest(store, settings), every=every)
        name = f"arXiv harvest of {', '.join(sets)} every {settings.harvest_minutes} min"
        found.append(Singleton(name, handler, 60.0))
    if settings.hf_sync_minutes > 0:

        def hf() -> int:
            report = sync_hf(store, settings, days=settings.hf_sync_days)
            log.info("%s", report.summary())
            return 0

        every_min = settings.hf_sync_minutes
        add(f"Hugging Face sync every {every_min} min", "hf_sync", every_min * 60.0, 30.0, hf)
    if github_job_enabled(settings):

        def github() -> int:
            log.info("%s", sync_github(store, settings).summary())
            return 0

        every_min = settings.github_sync_minutes
        add(f"GitHub sync every {every_min} min", "github_sync", every_min * 60.0, 60.0, github)
    if settings.map_refresh_minutes > 0:

        def maps() -> int:
            return sum(
                build_period(store, settings, period).rebuilt for period in recent_periods(store)
            )

        every = settings.map_refresh_minutes * 60.0
        name = f"topic maps of recent periods every {settings.map_refresh_minutes:g} min"
        add(name, "map_refresh", every, 60.0, maps)
    add(
        "clean-up of expired sign-in tokens and old jobs",
        "cleanup",
        CLEANUP_EVERY,
        60.0,
        lambda: cleanup(store),
    )
    return found


def ensure_singletons(store: Store, singletons: list[Singleton]) -> None:
    """Create the periodic rows that are missing (idempotent, safe from every worker)."""
    now = utcnow()
    for one in singletons:
        store.jobs.ensure_periodic(
            one.handler.kind,
            one.handler.kind,
            first_run=now + timedelta(seconds=one.first_run),
            every=one.handler.every or CLEANUP_EVERY,
        )
