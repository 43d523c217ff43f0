"""The service's scheduled GitHub sync: it runs, survives a GitHub that fails (5xx on
every request, or nothing listening at all), and picks up where it was next time."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from paperboy.config import Settings
from paperboy.ingest.github_scheduler import GithubSyncScheduler, github_job_enabled
from paperboy.store import Store
from tests.code.github_server import GithubStandIn
from tests.code.test_github_sync import add_papers, gh_settings, gh_store, github  # noqa: F401


def wait_for(job: GithubSyncScheduler, runs: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while job.runs < runs and time.monotonic() < deadline:
        time.sleep(0.02)


def test_job_runs_and_survives_a_failing_github(
    tmp_path: Path,
    github: GithubStandIn,  # noqa: F811
    gh_store: Store,  # noqa: F811
) -> None:
    github.add("j/one", 11)
    github.add("j/two", 22)
    # The first run meets a GitHub that fails every request for j/two (max_retries=2:
    # three 500s); the next run finds it working again.
    github.script["j/two"] = [500, 500, 500]
    add_papers(gh_store, "j/one", "j/two")
    settings = gh_settings(tmp_path, github, github_sync_minutes=1)
    assert github_job_enabled(settings)
    job = GithubSyncScheduler(gh_store, settings, first_run=0.0, interval=0.2)
    job.start()
    try:
        wait_for(job, 1)
        first = gh_store.code.get_repo("j/two")
        assert first is not None and first.stars is None  # skipped, nothing invented
        one = gh_store.code.get_repo("j/one")
        assert one is not None and one.stars == 11
        wait_for(job, 2)
    finally:
        job.stop(timeout=10)
    assert job.runs >= 2 and job.failures == 0
    two = gh_store.code.get_repo("j/two")
    assert two is not None and two.stars == 22
    # j/one was checked by the first run: not asked again (github_refresh_hours)
    assert len(github.asked("j/one")) == 1


def test_job_survives_an_unreachable_github(
    tmp_path: Path,
    gh_store: Store,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_papers(gh_store, "u/r1")
    settings = Settings(
        data_dir=tmp_path,
        github_sync=True,
        github_sync_minutes=1,
        github_api_url="http://127.0.0.1:9",  # nothing listens on the discard port
        github_request_interval=0.0,
        request_timeout=2.0,
        max_retries=0,
    )
    job = GithubSyncScheduler(gh_store, settings, first_run=0.0, interval=0.1)
    with caplog.at_level(logging.ERROR, logger="paperboy.ingest.github"):
        job.start()
        try:
            wait_for(job, 2)
            assert job.alive  # the thread outlives the failures
        finally:
            job.stop(timeout=10)
    assert job.runs >= 2 and job.failures == job.runs
    assert "scheduled GitHub sync failed" in caplog.text
    repo = gh_store.code.get_repo("u/r1")
    assert repo is not None and repo.stars is None and repo.status == "new"


def test_job_needs_the_source_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert not github_job_enabled(Settings(data_dir=tmp_path))  # default: off
    with caplog.at_level(logging.WARNING, logger="paperboy.ingest.github"):
        assert not github_job_enabled(Settings(data_dir=tmp_path, github_sync_minutes=30))
    assert "PAPERBOY_GITHUB_SYNC=false" in caplog.text
