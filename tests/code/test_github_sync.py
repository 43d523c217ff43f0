"""``paperboy sync github`` against a local GitHub stand-in: 200s then 304s (no quota),
renames, deleted repositories, rate-limit exhaustion and resumption after the reset,
secondary limits, 5xx, an unreachable GitHub, and the switch that keeps it off."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from paperboy.arxiv import PaperRecord
from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.errors import SourceError
from paperboy.ingest.github import GithubSyncOff, sync_github
from paperboy.store import Store
from tests.code.github_server import GithubStandIn, github_server


@pytest.fixture
def github() -> Iterator[GithubStandIn]:
    server = github_server()
    try:
        yield GithubStandIn(server)
    finally:
        server.stop()


def gh_settings(tmp_path: Path, github: GithubStandIn, **kw: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "github_sync": True,
        "github_api_url": github.url,
        "github_request_interval": 0.0,
        "request_timeout": 5.0,
        "max_retries": 2,
        "github_max_wait": 5.0,
    }
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def gh_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path}/gh.db")
    try:
        yield store
    finally:
        store.close()


def add_papers(store: Store, *repos: str, upvotes: int = 0) -> None:
    """One paper per repository, announced today (so 'recent')."""
    base = len(store.code.repos_to_sync(date.today()))
    store.papers.upsert_papers(
        [
            PaperRecord(
                arxiv_id=f"2606.{base + i + 1:05d}",
                title=f"Paper about {repo}",
                abstract=f"Our code is available at https://github.com/{repo}.",
                categories=["cs.LG"],
                announced=date.today(),
                upvotes=upvotes,
            )
            for i, repo in enumerate(repos)
        ]
    )


def test_sync_then_conditional_requests_rename_and_404(
    tmp_path: Path, github: GithubStandIn, gh_store: Store
) -> None:
    github.add("a/one", 10)
    github.add("a/two", 20, archived=True, license="other", description=None)
    github.add("a/new-name", 30)
    github.renamed["a/old-name"] = github.repos["a/new-name"].id
    add_papers(gh_store, "a/one", "a/two", "a/old-name", "a/deleted")
    settings = gh_settings(tmp_path, github)

    first = sync_github(gh_store, settings)
    assert (first.checked, first.updated, first.not_modified) == (4, 3, 0)
    assert first.renamed == [("a/old-name", "a/new-name")]
    assert first.gone == ["a/deleted"]
    one = gh_store.code.get_repo("a/one")
    assert one is not None and (one.stars, one.license, one.archived) == (10, "MIT", False)
    assert one.pushed_at is not None and one.pushed_at.isoformat() == "2026-06-29T10:00:00"
    two = gh_store.code.get_repo("a/two")
    assert two is not None and (two.archived, two.license, two.description) == (
        True,
        "Other",
        None,
    )
    moved = gh_store.code.get_repo("a/old-name")
    assert moved is not None and (moved.full_name, moved.stars) == ("a/new-name", 30)
    assert gh_store.code.snapshots("a/one") == [(date.today(), 10)]
    spent = github.limit - github.quota

    # Again (forced: they were just checked): unchanged repositories answer 304 and cost
    # no quota; the deleted one is not asked again; the renamed one is asked by its new
    # name.
    second = sync_github(gh_store, settings, force=True)
    assert (second.checked, second.not_modified, second.updated) == (3, 2, 1)
    assert github.asked("a/deleted") == github.asked("a/deleted")[:1]
    assert len(github.asked("a/new-name")) == 1
    assert github.asked("a/one")[-1].headers.get("if-none-match", "").startswith('W/"')
    assert github.limit - github.quota == spent + 1  # only the renamed repo's 200
    # A change on GitHub is picked up: the ETag no longer matches.
    github.repos["a/one"].stars = 15
    third = sync_github(gh_store, settings, force=True)
    assert third.updated == 1 and third.not_modified == 2
    assert gh_store.code.snapshots("a/one") == [(date.today(), 15)]  # one per day

    # Without --force, repositories checked in the last hours are left alone.
    fourth = sync_github(gh_store, settings)
    assert (fourth.checked, fourth.fresh) == (0, 3)


def test_rate_limit_exhaustion_stops_then_resumes_after_reset(
    tmp_path: Path, github: GithubStandIn, gh_store: Store
) -> None:
    names = [f"o/r{i}" for i in range(5)]
    for i, name in enumerate(names):
        github.add(name, i)
    add_papers(gh_store, *names)
    github.limit = github.quota = 2
    github.reset_in = 1.5
    settings = gh_settings(tmp_path, github)

    first = sync_github(gh_store, settings)
    assert (first.checked, first.remaining) == (2, 3)
    assert first.stopped is not None and "rate limit exhausted; resumes after" in first.stopped
    assert first.resumes_at is not None
    assert "stopped early" in first.summary()
    requests = len(github.server.seen)
    assert requests == 2  # it stopped before a request that would be refused

    # Before the reset GitHub refuses (403, remaining 0): the run stops at once.
    early = sync_github(gh_store, settings)
    assert early.checked == 0 and early.stopped is not None and "resumes after" in early.stopped
    assert early.remaining == 3

    time.sleep(max(0.0, first.resumes_at.timestamp() - time.time()) + 0.1)
    resumed = sync_github(gh_store, settings)
    assert resumed.checked == 2 and resumed.fresh == 2  # continues where it stopped
    time.sleep(max(0.0, (resumed.resumes_at or first.resumes_at).timestamp() - time.time()) + 0.1)
    last = sync_github(gh_store, settings)
    assert last.checked == 1 and last.stopped is None
    assert all(gh_store.code.get_repo(n).stars is not None for n in names)  # type: ignore[union-attr]


def test_secondary_limit_is_waited_out_and_5xx_retried_or_skipped(
    tmp_path: Path, github: GithubStandIn, gh_store: Store
) -> None:
    for name in ("s/limited", "s/flaky", "s/broken", "s/blocked", "s/fine"):
        github.add(name, 7)
    github.script["s/limited"] = [("secondary", 1)]
    github.script["s/flaky"] = [502, 503]
    github.script["s/broken"] = [500, 500, 500]
    github.script["s/blocked"] = ["blocked"]
    add_papers(gh_store, "s/limited", "s/flaky", "s/broken", "s/blocked", "s/fine")
    started = time.monotonic()
    report = sync_github(gh_store, gh_settings(tmp_path, github))
    assert time.monotonic() - started >= 1.0  # the retry-after was honoured
    assert report.updated == 3
    skipped = dict(report.skipped)  # same rank: in key order
    assert sorted(skipped) == ["s/blocked", "s/broken"]
    assert "HTTP 500" in skipped["s/broken"]
    assert skipped["s/blocked"] == "HTTP 403: Repository access blocked"
    broken = gh_store.code.get_repo("s/broken")
    assert broken is not None and broken.stars is None and broken.status == "new"

    # A secondary limit longer than we wait stops the run instead.
    github.script["s/fine"] = [("secondary", 600)]
    stopped = sync_github(gh_store, gh_settings(tmp_path, github), force=True)
    assert stopped.stopped is not None and "secondary rate limit" in stopped.stopped


def test_unreachable_github_is_a_clear_error(tmp_path: Path, gh_store: Store) -> None:
    add_papers(gh_store, *(f"u/r{i}" for i in range(6)))
    settings = Settings(
        data_dir=tmp_path,
        github_sync=True,
        github_api_url="http://127.0.0.1:9",  # nothing listens on the discard port
        github_request_interval=0.0,
        request_timeout=2.0,
        max_retries=0,
    )
    with pytest.raises(SourceError, match="GitHub is unreachable"):
        sync_github(gh_store, settings)


def test_off_by_default_and_no_placeholder_token(tmp_path: Path, gh_store: Store) -> None:
    with pytest.raises(GithubSyncOff, match="PAPERBOY_GITHUB_SYNC=true"):
        sync_github(gh_store, Settings(data_dir=tmp_path))
    with pytest.raises(ValidationError, match="PAPERBOY_GITHUB_TOKEN is a placeholder"):
        Settings(environment="production", secret_key="x" * 40, github_token="changeme")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", secret_key="x" * 40, github_token="ghp_xxxxxxxx")
    assert Settings(github_token="changeme").github_token == "changeme"  # development


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAPERBOY_CONFIG", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield CliRunner()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_cli_backfill_and_sync(
    runner: CliRunner, github: GithubStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'paperboy.db'}")
    add_papers(store, "c/li")
    store.close()
    github.add("c/li", 42)
    backfill = runner.invoke(cli, ["links", "backfill"])
    assert backfill.exit_code == 0, backfill.output
    assert "1 papers read, 1 links stored (1 github)" in backfill.stdout
    off = runner.invoke(cli, ["sync", "github"])
    assert off.exit_code == 1 and "Error: the GitHub sync is off" in off.output
    monkeypatch.setenv("PAPERBOY_GITHUB_SYNC", "true")
    monkeypatch.setenv("PAPERBOY_GITHUB_API_URL", github.url)
    monkeypatch.setenv("PAPERBOY_GITHUB_REQUEST_INTERVAL", "0")
    done = runner.invoke(cli, ["sync", "github", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["checked"], report["updated"], report["stopped"]) == (1, 1, None)
    monkeypatch.setenv("PAPERBOY_GITHUB_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERBOY_MAX_RETRIES", "0")
    down = runner.invoke(cli, ["sync", "github", "--force"])
    assert down.exit_code == 1 and "Error: GitHub is unreachable" in down.output
