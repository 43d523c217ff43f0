"""Runs inside `paperboy serve` when PAPERBOY_GITHUB_SYNC_MINUTES > 0 and the GitHub
source is on (PAPERBOY_GITHUB_SYNC=true): ``sync_github`` every
``github_sync_minutes``, in a thread.

Safe next to cron running `paperboy sync github`: every repository is written in its
own transaction, unchanged ones cost a 304 and no quota, and repositories checked in
the last ``github_refresh_hours`` are not asked again. A run stopped by the rate limit
resumes at the next interval; a failed run (GitHub down) is logged and retried then;
the service keeps serving.
"""

from __future__ import annotations

import logging

from paperboy.config import Settings
from paperboy.ingest.github import sync_github
from paperboy.periodic import PeriodicJob
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.github")
FIRST_RUN_SECONDS = 60.0  # let the service finish starting (and HF's first sync) first


def github_job_enabled(settings: Settings) -> bool:
    """Whether `paperboy serve` starts the job; warns when it is asked for but the
    source is off."""
    if settings.github_sync_minutes <= 0:
        return False
    if not settings.github_sync:
        log.warning(
            "PAPERBOY_GITHUB_SYNC_MINUTES is set but the GitHub sync is off "
            "(PAPERBOY_GITHUB_SYNC=false): no scheduled GitHub sync"
        )
        return False
    return True


class GithubSyncScheduler(PeriodicJob):
    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        first_run: float = FIRST_RUN_SECONDS,
        interval: float | None = None,  # seconds; tests pass less than the minutes setting
    ) -> None:
        def run() -> None:
            log.info("%s", sync_github(store, settings).summary())

        super().__init__(
            "GitHub sync",
            run,
            first_run=first_run,
            interval=interval if interval is not None else settings.github_sync_minutes * 60.0,
            log=log,
        )
