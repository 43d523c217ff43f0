"""The scheduled GitHub sync (the ``github_sync`` job of the job table, run by a real
JobRunner as in `paperboy worker`): it runs, survives a GitHub that fails (5xx on every
request, or nothing listening at all) with its error recorded and a backoff, and picks
up where it was next time; it needs the source on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.github_scheduler import github_job_enabled
from paperboy.store import Store
from tests.code.github_server import GithubStandIn
from tests.code.test_github_sync import add_papers, gh_settings, gh_store, github  # noqa: F401
from tests.jobs.singleton_runs import run_now, singleton_runner

QUIET = {"digest_scheduler": False, "map_refresh_minutes": 0}


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
    settings = gh_settings(tmp_path, github, github_sync_minutes=1, **QUIET)
    assert github_job_enabled(settings)
    runner = singleton_runner(gh_store, settings, "github_sync")
    row = run_now(gh_store, runner, "github_sync")
    assert row.last_error is None  # one repository skipped is not a failed run
    first = gh_store.code.get_repo("j/two")
    assert first is not None and first.stars is None  # skipped, nothing invented
    one = gh_store.code.get_repo("j/one")
    assert one is not None and one.stars == 11
    run_now(gh_store, runner, "github_sync")
    assert runner.counts.runs == {"github_sync": 2} and runner.counts.failures == {}
    two = gh_store.code.get_repo("j/two")
    assert two is not None and two.stars == 22
    # j/one was checked by the first run: not asked again (github_refresh_hours)
    assert len(github.asked("j/one")) == 1


def test_job_survives_an_unreachable_github(
    tmp_path: Path,
    github: GithubStandIn,  # noqa: F811
    gh_store: Store,  # noqa: F811
) -> None:
    add_papers(gh_store, "u/r1")
    github.add("u/r1", 5)
    down = Settings(
        data_dir=tmp_path,
        github_sync=True,
        github_sync_minutes=1,
        github_api_url="http://127.0.0.1:9",  # nothing listens on the discard port
        github_request_interval=0.0,
        request_timeout=2.0,
        max_retries=0,
        **QUIET,  # type: ignore[arg-type]
    )
    runner = singleton_runner(gh_store, down, "github_sync")
    before = utcnow()
    row = run_now(gh_store, runner, "github_sync")
    # Queued again with its error, after a backoff rather than at once or never.
    assert row.last_error is not None and row.attempts == 1
    assert row.run_after > before
    assert runner.counts.failures == {"github_sync": 1}
    repo = gh_store.code.get_repo("u/r1")
    assert repo is not None and repo.stars is None and repo.status == "new"
    # GitHub is back: the next run of the same row succeeds and clears the error.
    back = singleton_runner(
        gh_store, gh_settings(tmp_path, github, github_sync_minutes=1, **QUIET), "github_sync"
    )
    row = run_now(gh_store, back, "github_sync")
    assert row.last_error is None and row.attempts == 0
    repo = gh_store.code.get_repo("u/r1")
    assert repo is not None and repo.stars == 5


def test_job_needs_the_source_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert not github_job_enabled(Settings(data_dir=tmp_path))  # default: off
    with caplog.at_level(logging.WARNING, logger="paperboy.ingest.github"):
        assert not github_job_enabled(Settings(data_dir=tmp_path, github_sync_minutes=30))
    assert "PAPERBOY_GITHUB_SYNC=false" in caplog.text
