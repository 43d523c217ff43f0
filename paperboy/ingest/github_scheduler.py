"""Whether the scheduled GitHub sync runs: PAPERBOY_GITHUB_SYNC_MINUTES > 0 and the GitHub
source on (PAPERBOY_GITHUB_SYNC=true). The run itself is the ``github_sync`` job of the
job table (`paperboy/workqueue/singletons.py`), in `paperboy worker` or `paperboy serve`
with jobs.

Safe next to cron running `paperboy sync github`: every repository is written in its
own transaction, unchanged ones cost a 304 and no quota, and repositories checked in
the last ``github_refresh_hours`` are not asked again.
"""

from __future__ import annotations

import logging

from paperboy.config import Settings

log = logging.getLogger("paperboy.ingest.github")


def github_job_enabled(settings: Settings) -> bool:
    """Whether the scheduled sync runs; warns when it is asked for but the source is off."""
    if settings.github_sync_minutes <= 0:
        return False
    if not settings.github_sync:
        log.warning(
            "PAPERBOY_GITHUB_SYNC_MINUTES is set but the GitHub sync is off "
            "(PAPERBOY_GITHUB_SYNC=false): no scheduled GitHub sync"
        )
        return False
    return True
