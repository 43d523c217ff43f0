"""Runs inside `paperboy serve` (when PAPERBOY_DIGEST_SCHEDULER is on): calls
``send_due_digests`` every ``digest_check_minutes`` in a thread.

Checking often is cheap and correct: before ``digest_hour`` nothing is due, after it the
outbox makes every further call a no-op for digests already sent. Several web workers,
or cron as well, can run it at once (see outbox.py).
"""

from __future__ import annotations

import logging
import threading

from paperboy.config import Settings
from paperboy.digest.outbox import send_due_digests
from paperboy.store import Store

log = logging.getLogger("paperboy.digest")
FIRST_CHECK_SECONDS = 15.0  # let the service finish starting first


class DigestScheduler:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paperboy-digests", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        wait = FIRST_CHECK_SECONDS
        while not self._stop.wait(wait):
            wait = self.settings.digest_check_minutes * 60.0
            try:
                send_due_digests(self.store, self.settings)  # logs what it did
            except Exception:  # keep serving; the next check retries
                log.exception("scheduled digest run failed")
