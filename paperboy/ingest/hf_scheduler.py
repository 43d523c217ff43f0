"""Runs inside `paperboy serve` when PAPERBOY_HF_SYNC_MINUTES > 0: ``sync_hf`` of the
last ``hf_sync_days`` days every ``hf_sync_minutes``, in a thread.

Safe next to cron running `paperboy sync hf`: every day is one idempotent transaction
and unchanged days cost a 304. A failed run (HF down) is logged and retried at the
next interval; the service keeps serving.
"""

from __future__ import annotations

import logging

from paperboy.config import Settings
from paperboy.ingest.hf_sync import sync_hf
from paperboy.periodic import PeriodicJob
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.hf")
FIRST_RUN_SECONDS = 30.0  # let the service finish starting first


class HfSyncScheduler(PeriodicJob):
    def __init__(
        self, store: Store, settings: Settings, *, first_run: float = FIRST_RUN_SECONDS
    ) -> None:
        def run() -> None:
            log.info("%s", sync_hf(store, settings, days=settings.hf_sync_days).summary())

        super().__init__(
            "Hugging Face sync",
            run,
            first_run=first_run,
            interval=settings.hf_sync_minutes * 60.0,
            log=log,
        )
