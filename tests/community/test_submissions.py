"""Submissions as a domain function, on SQLite and PostgreSQL, with arXiv played by the
real local stand-in."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from paperboy.clock import utcnow
from paperboy.community.submissions import AlreadyOnPaperboy, submit_arxiv_paper
from paperboy.config import Settings
from paperboy.errors import TooManyRequests
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.store import Store
from tests.ingest.conftest import source_server as source_server
from tests.ingest.source_server import LocalServer, Seen
from tests.store.test_papers import rec
from tests.web.test_submissions import ATOM, RECENT_ID, recent_feed


def settings_for(tmp_path: Path, server: LocalServer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "arxiv_api_url": f"{server.url}/api/query",
        "request_interval": 0.0,
        "submissions_per_day": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_losing_the_daily_limit_race_stores_nothing(
    tmp_path: Path, store: Store, source_server: LocalServer
) -> None:
    """The early check passes, then (while arXiv is asked) another submission of the
    same account takes the last slot of the day: the answer is 429 and neither the
    paper nor a submission is stored, so a retry is 429 again, not 409."""
    settings = settings_for(tmp_path, source_server)
    ada = store.accounts.create_user("ada@example.org")
    store.papers.upsert_papers([rec("2611.00007")])
    other = store.papers.get_paper("2611.00007")
    assert other is not None
    now = utcnow()

    def arxiv_while_another_submission_wins(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if not store.submissions.count_submissions_since(ada.id, now - timedelta(hours=1)):
            store.submissions.add_submission(other.id, ada.id, now=now)
        return 200, ATOM, recent_feed()

    source_server.handler = arxiv_while_another_submission_wins
    arxiv = InteractiveArxiv(settings)
    with pytest.raises(TooManyRequests):
        submit_arxiv_paper(store, settings, arxiv, ada, RECENT_ID, now=now)
    assert store.papers.get_paper(RECENT_ID) is None  # no orphan paper
    assert store.submissions.count_submissions_since(ada.id, now - timedelta(hours=1)) == 1
    with pytest.raises(TooManyRequests):  # the retry: still the limit, not "already there"
        submit_arxiv_paper(store, settings, arxiv, ada, RECENT_ID, now=now)
    # The next day it goes through, credited to ada.
    tomorrow = now + timedelta(days=1)
    stored = submit_arxiv_paper(store, settings, arxiv, ada, RECENT_ID, now=tomorrow)
    assert store.submissions.submitters([stored.id]) == {stored.id: ada.display_name}


def test_a_paper_stored_while_arxiv_is_asked_is_a_409(
    tmp_path: Path, store: Store, source_server: LocalServer
) -> None:
    settings = settings_for(tmp_path, source_server, submissions_per_day=5)
    ada = store.accounts.create_user("ada@example.org")

    def harvest_gets_there_first(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        store.papers.upsert_papers([rec(RECENT_ID)])
        return 200, ATOM, recent_feed()

    source_server.handler = harvest_gets_there_first
    with pytest.raises(AlreadyOnPaperboy) as refused:
        submit_arxiv_paper(store, settings, InteractiveArxiv(settings), ada, RECENT_ID)
    assert refused.value.paper.arxiv_id == RECENT_ID
    assert store.submissions.count_submissions_since(ada.id, datetime(2000, 1, 1)) == 0


def test_failed_lookups_count_toward_the_hourly_attempts(
    tmp_path: Path, store: Store, source_server: LocalServer
) -> None:
    settings = settings_for(tmp_path, source_server, arxiv_attempts_per_hour=2)
    source_server.handler = lambda seen: (500, {}, b"down")
    ada = store.accounts.create_user("ada@example.org")
    arxiv = InteractiveArxiv(settings)
    for _ in range(2):
        with pytest.raises(Exception, match="could not be reached"):
            submit_arxiv_paper(store, settings, arxiv, ada, RECENT_ID)
    with pytest.raises(TooManyRequests, match="at most 2 times an hour"):
        submit_arxiv_paper(store, settings, arxiv, ada, RECENT_ID)
    assert len(source_server.requests("/api/query")) == 2  # the third never reached arXiv
