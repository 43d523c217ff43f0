"""``paperboy sync hf`` against a real local HTTP server playing Hugging Face's
``/api/daily_papers`` with recorded answers (tests/fixtures/hf-daily-week.json, built
from the real 2024 daily papers by scripts/make_hf_recordings.py)."""

from __future__ import annotations

import copy
import json
import logging
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.ingest.hf_sync import HfUnreachable, sync_hf
from paperboy.store import Store
from tests.ingest.conftest import INTERVAL
from tests.ingest.source_server import FIXTURES, Answer, LocalServer, Seen

WEEK_FILE = FIXTURES / "hf-daily-week.json"
LAST_DAY = date(2024, 3, 11)
JSON = {"Content-Type": "application/json; charset=utf-8"}
PATH = "/api/daily_papers"


def load_week() -> dict[str, list[dict[str, Any]]]:
    week: dict[str, list[dict[str, Any]]] = json.loads(WEEK_FILE.read_text(encoding="utf-8"))
    return week


class DailyPapers:
    """Answers ``?date=`` from ``week``, with an ETag per day's content; answers 304
    to a matching If-None-Match. ``override`` may answer first."""

    def __init__(self, week: dict[str, list[dict[str, Any]]]) -> None:
        self.week = week
        self.override: Any = None

    def etag(self, day: str) -> str:
        return f'W/"{abs(hash(json.dumps(self.week.get(day, []), sort_keys=True)))}"'

    def __call__(self, seen: Seen) -> Answer:
        if self.override is not None:
            answer: Answer | None = self.override(seen)
            if answer is not None:
                return answer
        day = seen.query.get("date", "")
        etag = self.etag(day)
        if seen.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        body = json.dumps(self.week.get(day, [])).encode()
        return 200, {**JSON, "ETag": etag}, body


@pytest.fixture
def daily(source_server: LocalServer) -> DailyPapers:
    handler = DailyPapers(load_week())
    source_server.handler = handler
    return handler


def total_items(week: dict[str, list[dict[str, Any]]]) -> int:
    return sum(map(len, week.values()))


def test_sync_twice_refreshes_counts_and_duplicates_nothing(
    source_server: LocalServer,
    source_settings: Settings,
    source_store: Store,
    daily: DailyPapers,
) -> None:
    week = daily.week
    n = total_items(week)
    first = week["2024-03-05"][0]
    first["numComments"] = 3
    first["submittedBy"] = {"name": "akhaliq", "fullname": "AK", "type": "user"}
    first["paper"]["projectPage"] = "https://example.org/project"
    first["paper"]["ai_summary"] = "A summary written by HF's model."
    first["paper"]["ai_keywords"] = ["language agents", 7, "open-world games"]
    arxiv_id = first["paper"]["id"]
    original_upvotes = first["paper"]["upvotes"]

    report = sync_hf(source_store, source_settings, days=7, until=LAST_DAY)
    assert [d.status for d in report.days] == ["fetched"] * 7
    assert (report.papers.added, report.papers.skipped, report.counts_refreshed) == (n, [], n)
    seen = source_server.requests(PATH)
    assert [s.query["date"] for s in seen] == [f"2024-03-{d:02d}" for d in range(5, 12)]
    assert all("if-none-match" not in s.headers for s in seen)

    paper = source_store.papers.get_paper(arxiv_id)
    assert paper is not None and paper.imported_upvotes == original_upvotes
    info = source_store.hf.get(paper.id)
    assert info is not None
    assert (info.upvotes, info.comments) == (original_upvotes, 3)
    assert (info.submitter, info.submitter_name) == ("akhaliq", "AK")
    assert info.featured_on == date(2024, 3, 5)
    assert info.project_page == "https://example.org/project"
    assert info.ai_summary == "A summary written by HF's model."
    assert info.ai_keywords == ["language agents", "open-world games"]
    assert info.synced_at is not None
    with_repo = [i for v in week.values() for i in v if "githubRepo" in i["paper"]]
    assert with_repo, "the recordings carry at least one githubRepo"
    repo_paper = source_store.papers.get_paper(with_repo[0]["paper"]["id"])
    assert repo_paper is not None
    repo_info = source_store.hf.get(repo_paper.id)
    assert repo_info is not None and repo_info.github_repo == with_repo[0]["paper"]["githubRepo"]

    # A day later: HF's counts moved on one day; the other days answer 304.
    first["paper"]["upvotes"] = original_upvotes + 5
    first["numComments"] = 4
    del first["paper"]["ai_summary"]  # an answer without it keeps the stored one
    again = sync_hf(source_store, source_settings, days=7, until=LAST_DAY)
    statuses = [d.status for d in again.days]
    assert statuses == ["fetched"] + ["not modified"] * 6
    assert (again.papers.added, again.papers.updated) == (0, 1)
    assert again.counts_refreshed == n
    conditional = source_server.requests(PATH)[7:]
    assert all(s.headers.get("if-none-match", "").startswith('W/"') for s in conditional)

    paper = source_store.papers.get_paper(arxiv_id)
    assert paper is not None and paper.imported_upvotes == original_upvotes + 5
    info = source_store.hf.get(paper.id)
    assert info is not None and (info.upvotes, info.comments) == (original_upvotes + 5, 4)
    assert info.ai_summary == "A summary written by HF's model."
    assert source_store.papers.count_papers() == n
    assert source_store.hf.count() == n
    # HF's upvotes are counted once: the total is HF's count plus local votes.
    breakdown = source_store.hf.count_breakdown([paper.id])[paper.id]
    assert (breakdown.hf, breakdown.here, breakdown.total) == (
        original_upvotes + 5,
        0,
        info.upvotes,
    )
    assert source_store.votes.vote_totals([paper.id])[paper.id] == breakdown.total


def test_429_then_success_waits_for_retry_after(
    source_server: LocalServer,
    source_settings: Settings,
    source_store: Store,
    daily: DailyPapers,
) -> None:
    refused: set[str] = set()

    def once_429(seen: Seen) -> Answer | None:
        day = seen.query["date"]
        if day == "2024-03-06" and day not in refused:
            refused.add(day)
            return 429, {"Retry-After": "1"}, b'{"error":"rate limited"}'
        return None

    daily.override = once_429
    report = sync_hf(source_store, source_settings, days=2, until=date(2024, 3, 6))
    assert [d.status for d in report.days] == ["fetched", "fetched"]
    seen = [s for s in source_server.requests(PATH) if s.query["date"] == "2024-03-06"]
    assert len(seen) == 2
    assert seen[1].at - seen[0].at >= 0.95  # waited for Retry-After: 1
    assert source_store.papers.count_papers() == 12


def test_malformed_items_and_days_are_skipped_and_reported(
    source_server: LocalServer,
    source_settings: Settings,
    source_store: Store,
    daily: DailyPapers,
) -> None:
    week = copy.deepcopy(daily.week)
    items: list[Any] = week["2024-03-05"]
    items[1]["paper"]["upvotes"] = -4
    del items[2]["paper"]["upvotes"]
    items[3]["paper"]["id"] = "not an arxiv id"
    items.append("not an object")
    items.append({"title": "no paper object"})
    daily.week = week

    def broken_day(seen: Seen) -> Answer | None:
        if seen.query["date"] == "2024-03-06":
            return 200, JSON, b"<html>maintenance</html>"
        if seen.query["date"] == "2024-03-07":
            return 200, JSON, b'{"error": "not a list"}'
        if seen.query["date"] == "2024-03-08":
            return 404, JSON, b'{"error": "no daily papers for this date"}'
        return None

    daily.override = broken_day
    report = sync_hf(source_store, source_settings, days=4, until=date(2024, 3, 8))
    assert [(d.status, d.reason) for d in report.days] == [
        ("fetched", None),
        ("skipped", "the answer is not JSON"),
        ("skipped", "the answer is not a JSON list of papers"),
        ("skipped", "HTTP 404 for this day"),
    ]
    wheres = [where for where, _ in report.papers.skipped]
    assert len(wheres) == 5 and all(w.startswith("2024-03-05 item ") for w in wheres)
    assert report.papers.added == 3
    assert source_store.papers.count_papers() == 3 == source_store.hf.count()
    text = report.summary()
    assert "skipped day 2024-03-06: the answer is not JSON" in text
    assert "upvotes" in text


def test_hf_failing_midway_stops_cleanly_and_keeps_whole_days(
    source_server: LocalServer,
    source_settings: Settings,
    source_store: Store,
    daily: DailyPapers,
) -> None:
    daily.override = lambda seen: (
        (503, {"Retry-After": "0"}, b"down") if seen.query["date"] == "2024-03-07" else None
    )
    with pytest.raises(HfUnreachable) as caught:
        sync_hf(source_store, source_settings, days=4, until=date(2024, 3, 8))
    message = caught.value.detail
    assert message.startswith("Hugging Face unreachable (HTTP 503")
    assert "2024-03-07" in message
    # The two days before are stored whole; nothing of the failing day or after.
    assert source_store.papers.count_papers() == 12
    assert source_store.papers.get_state("hf_daily:2024-03-07") is None
    assert source_store.papers.get_state("hf_daily:2024-03-06") is not None
    dates = [s.query["date"] for s in source_server.requests(PATH)]
    assert "2024-03-08" not in dates and dates.count("2024-03-07") == 3  # 1 + 2 retries


# -- the command -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERBOY_REQUEST_INTERVAL", str(INTERVAL))
    monkeypatch.setenv("PAPERBOY_MAX_RETRIES", "1")
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAPERBOY_CONFIG", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield CliRunner()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_command_syncs_and_reports(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    source_server: LocalServer,
    daily: DailyPapers,
) -> None:
    monkeypatch.setenv("PAPERBOY_HF_DAILY_PAPERS_URL", f"{source_server.url}{PATH}")
    result = runner.invoke(cli, ["sync", "hf", "--days", "7", "--until", "2024-03-11", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts_refreshed"] == total_items(daily.week)
    assert [d["status"] for d in report["days"]] == ["fetched"] * 7


def test_unreachable_hf_is_a_clear_error_and_exit_1(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}{PATH}"
    monkeypatch.setenv("PAPERBOY_HF_DAILY_PAPERS_URL", url)
    result = runner.invoke(cli, ["sync", "hf", "--days", "2"])
    assert result.exit_code == 1
    assert "Error: Hugging Face unreachable (request to " in result.output
    assert "Traceback" not in result.output
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'paperboy.db'}")
    try:
        assert store.papers.count_papers() == 0
    finally:
        store.close()


def test_command_rejects_a_bad_until(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["sync", "hf", "--until", "yesterday"])
    assert result.exit_code == 1 and "Error: --until must be a date" in result.output


# -- the scheduled job -------------------------------------------------------------------


def test_scheduled_job_syncs_and_survives_a_failure(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    """The ``hf_sync`` job of the job table, run by a real JobRunner as in `paperboy
    worker`: a source that stays down leaves the row queued with its error; the next run
    syncs the days."""
    from tests.jobs.singleton_runs import run_now, singleton_runner

    down = {"now": True}
    calls: list[str] = []

    def answer(seen: Seen) -> Answer:
        calls.append(seen.query["date"])
        if down["now"]:
            return 500, {}, b"boom"
        return 200, JSON, b"[]"

    source_server.handler = answer
    settings = source_settings.model_copy(
        update={
            "hf_sync_minutes": 1,
            "hf_sync_days": 2,
            "max_retries": 0,
            "digest_scheduler": False,
            "map_refresh_minutes": 0,
        }
    )
    runner = singleton_runner(source_store, settings, "hf_sync")
    row = run_now(source_store, runner, "hf_sync")
    assert row.last_error is not None and row.attempts == 1
    assert runner.counts.failures == {"hf_sync": 1}
    down["now"] = False
    calls.clear()
    row = run_now(source_store, runner, "hf_sync")
    assert row.last_error is None and row.attempts == 0
    assert len(calls) == 2  # one request a day
    states = [source_store.papers.get_state(f"hf_daily:{d}") for d in set(calls)]
    assert all(s is not None for s in states)
