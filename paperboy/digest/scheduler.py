"""Runs inside `paperboy serve` (when PAPERBOY_DIGEST_SCHEDULER is on): calls
``send_due_digests`` every ``digest_check_minutes`` in a thread.

Checking often is cheap and correct: before ``digest_hour`` nothing is due, after it the
outbox makes every further call a no-op for digests already sent. Several web workers,
or cron as well, can run it at once (see outbox.py).
"""

from __future__ import annotations

import logging

from paperboy.config import Settings
from paperboy.digest.outbox import send_due_digests
from paperboy.periodic import PeriodicJob
from paperboy.store import Store

log = logging.getLogger("paperboy.digest")
FIRST_CHECK_SECONDS = 15.0  # let the service finish starting first


class DigestScheduler(PeriodicJob):
    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(
            "digest run",
            lambda: send_due_digests(store, settings),  # logs what it did
            first_run=FIRST_CHECK_SECONDS,
            interval=settings.digest_check_minutes * 60.0,
            log=log,
        )
