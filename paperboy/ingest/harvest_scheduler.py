"""The scheduled OAI-PMH harvest's per-set step, run by the ``harvest`` job of the job
table (`paperboy/workqueue/singletons.py`) every PAPERBOY_HARVEST_MINUTES in
`paperboy worker` (or `paperboy serve` with jobs).

Each run resumes where the last complete harvest of that set ended (the position is
committed with every page, as for `paperboy ingest oai`); a set never harvested before
starts PAPERBOY_HARVEST_FIRST_DAYS back instead of asking for arXiv's whole history.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.oai import harvest_oai, oai_state_key
from paperboy.ingest.report import IngestReport
from paperboy.store import Store

log = logging.getLogger("paperboy.ingest.oai")


def harvest_sets(settings: Settings) -> list[str]:
    return [s.strip() for s in settings.harvest_sets.split(",") if s.strip()]


def harvest_set(store: Store, settings: Settings, set_spec: str) -> IngestReport:
    """One scheduled harvest of ``set_spec``, from where it last ended (or days back)."""
    known = store.papers.get_state(oai_state_key(settings.arxiv_oai_url, set_spec))
    start = None if known else utcnow() - timedelta(days=settings.harvest_first_days)
    report = harvest_oai(
        store, settings, set_spec=set_spec, from_date=start.date() if start else None
    )
    log.info("scheduled harvest of %s: %s", set_spec, report.summary())
    return report
