"""Runs in `paperboy worker` (or a single `paperboy serve`) when PAPERBOY_HARVEST_MINUTES
> 0: an OAI-PMH harvest of each set in PAPERBOY_HARVEST_SETS every so many minutes.

Each run resumes where the last complete harvest of that set ended (the position is
committed with every page, as for `paperboy ingest oai`); a set never harvested before
starts PAPERBOY_HARVEST_FIRST_DAYS back instead of asking for arXiv's whole history. A
failed run (arXiv down, rate limited) is logged and the next run resumes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.oai import harvest_oai, oai_state_key
from paperboy.periodic import PeriodicJob
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.oai")
FIRST_RUN_SECONDS = 60.0  # let the service finish starting first


def harvest_sets(settings: Settings) -> list[str]:
    return [s.strip() for s in settings.harvest_sets.split(",") if s.strip()]


def harvest_once(store: Store, settings: Settings) -> None:
    """One scheduled harvest: every configured set, each from where it last ended."""
    for set_spec in harvest_sets(settings):
        known = store.papers.get_state(oai_state_key(settings.arxiv_oai_url, set_spec))
        start = None if known else (utcnow() - timedelta(days=settings.harvest_first_days))
        report = harvest_oai(
            store, settings, set_spec=set_spec, from_date=start.date() if start else None
        )
        log.info("scheduled harvest of %s: %s", set_spec, report.summary())


class HarvestScheduler(PeriodicJob):
    def __init__(
        self, store: Store, settings: Settings, *, first_run: float = FIRST_RUN_SECONDS
    ) -> None:
        super().__init__(
            "arXiv harvest",
            lambda: harvest_once(store, settings),
            first_run=first_run,
            interval=settings.harvest_minutes * 60.0,
            log=log,
        )
