"""Runs inside `paperboy serve` when PAPERBOY_HF_SYNC_MINUTES > 0: ``sync_hf`` of the
last ``hf_sync_days`` days every ``hf_sync_minutes``, in a thread.

Safe next to cron running `paperboy sync hf`: every day is one idempotent transaction
and unchanged days cost a 304. A failed run (HF down) is logged and retried at the
next interval; the service keeps serving.
"""

from __future__ import annotations

import logging
import threading

from paperboy.config import Settings
from paperboy.ingest.hf_sync import sync_hf
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.hf")
FIRST_RUN_SECONDS = 30.0  # let the service finish starting first


class HfSyncScheduler:
    def __init__(
        self, store: Store, settings: Settings, *, first_run: float = FIRST_RUN_SECONDS
    ) -> None:
        self.store, self.settings = store, settings
        self.first_run = first_run
        self.runs = 0  # finished runs, successful or not
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paperboy-hf-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        wait = self.first_run
        while not self._stop.wait(wait):
            wait = self.settings.hf_sync_minutes * 60.0
            try:
                report = sync_hf(self.store, self.settings, days=self.settings.hf_sync_days)
                log.info("%s", report.summary())
            except Exception:  # keep serving; the next run retries
                log.exception("scheduled Hugging Face sync failed")
            finally:
                self.runs += 1
