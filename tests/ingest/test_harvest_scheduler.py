"""The scheduled OAI-PMH harvest: a new set starts a few days back, later runs resume
where the last ended, and the job runs on its interval in a thread."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.harvest_scheduler import HarvestScheduler, harvest_once, harvest_sets
from paperboy.store import Store
from tests.ingest.source_server import HEP_EX, OAI_DIR, LocalServer, OaiPages, read_page

if not OAI_DIR.is_dir():
    pytest.skip(f"shared data folder {OAI_DIR} is missing", allow_module_level=True)


def test_sets_are_read_from_the_setting() -> None:
    assert harvest_sets(Settings(harvest_sets=" cs, math ,,physics:hep-ex ")) == [
        "cs",
        "math",
        "physics:hep-ex",
    ]


def test_a_new_set_starts_days_back_and_the_next_run_resumes(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    settings = source_settings.model_copy(update={"harvest_sets": "physics"})
    source_server.handler = OaiPages([read_page(HEP_EX)])
    harvest_once(source_store, settings)
    first = source_server.requests("/oai2")[0].query
    expected = (utcnow() - timedelta(days=settings.harvest_first_days)).date().isoformat()
    assert first["from"] == expected and first["set"] == "physics"
    assert source_store.papers.count_papers() > 0
    harvest_once(source_store, settings)
    second = source_server.requests("/oai2")[-1].query
    assert second.get("from") != expected  # from the stored watermark, not days back


def test_the_job_runs_on_its_interval(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    settings = source_settings.model_copy(update={"harvest_sets": "physics", "harvest_minutes": 1})
    source_server.handler = OaiPages([read_page(HEP_EX)])
    job = HarvestScheduler(source_store, settings, first_run=0.01)
    job.start()
    try:
        deadline = time.monotonic() + 20
        while job.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        job.stop()
    assert job.runs == 1 and job.failures == 0
    assert source_store.papers.count_papers() > 0
