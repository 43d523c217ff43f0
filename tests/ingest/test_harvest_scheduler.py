"""The scheduled OAI-PMH harvest: sets come from the setting, a new set starts a few days
back, later runs resume where the last ended; the ``harvest`` job of the job table runs
it through a real JobRunner, a failed run stays queued with its error and the next
succeeds (the resume from a half-done harvest is in tests/jobs/test_singletons.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.harvest_scheduler import harvest_set, harvest_sets
from paperboy.store import Store
from tests.ingest.source_server import HEP_EX, OAI_DIR, XML, LocalServer, OaiPages, read_page
from tests.jobs.singleton_runs import run_now, singleton_runner

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
    source_server.handler = OaiPages([read_page(HEP_EX)])
    report = harvest_set(source_store, source_settings, "physics")
    first = source_server.requests("/oai2")[0].query
    expected = (utcnow() - timedelta(days=source_settings.harvest_first_days)).date().isoformat()
    assert first["from"] == expected and first["set"] == "physics"
    assert report.added == source_store.papers.count_papers() > 0
    harvest_set(source_store, source_settings, "physics")
    second = source_server.requests("/oai2")[-1].query
    assert second.get("from") != expected  # from the stored watermark, not days back


def test_the_job_fails_queued_with_its_error_then_harvests(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    settings = source_settings.model_copy(
        update={
            "harvest_sets": "physics",
            "harvest_minutes": 1,
            "max_retries": 0,
            "digest_scheduler": False,
            "map_refresh_minutes": 0,
        }
    )
    pages = OaiPages([read_page(HEP_EX)])
    down = {"now": True}
    pages.override = lambda seen: (503, XML, b"down") if down["now"] else None
    source_server.handler = pages
    runner = singleton_runner(source_store, settings, "harvest")
    before = utcnow()
    row = run_now(source_store, runner, "harvest")
    assert row.last_error is not None and "physics" in row.last_error and row.attempts == 1
    assert row.run_after > before and source_store.papers.count_papers() == 0
    down["now"] = False
    row = run_now(source_store, runner, "harvest")
    assert row.last_error is None and row.attempts == 0
    assert row.run_after > utcnow() + timedelta(seconds=50)  # the next run in a minute
    assert source_store.papers.count_papers() == pages.total
    assert runner.counts.items == {"harvest": pages.total}
