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
import threading

from paperboy.config import Settings
from paperboy.ingest.github import sync_github
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


class GithubSyncScheduler:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        first_run: float = FIRST_RUN_SECONDS,
        interval: float | None = None,
    ) -> None:
        self.store, self.settings = store, settings
        self.first_run = first_run
        # seconds between runs; tests pass a shorter one than the settings' minutes
        self.interval = interval if interval is not None else settings.github_sync_minutes * 60.0
        self.runs = 0  # finished runs, successful or not
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paperboy-github-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        wait = self.first_run
        while not self._stop.wait(wait):
            wait = self.interval
            try:
                report = sync_github(self.store, self.settings)
                log.info("%s", report.summary())
            except Exception:  # keep serving; the next run retries
                self.failures += 1
                log.exception("scheduled GitHub sync failed")
            finally:
                self.runs += 1
