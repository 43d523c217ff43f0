"""`/api/health` stays cheap and honest (ops/health.py), through the real app on SQLite
and PostgreSQL: a burst of probes runs one COUNT of the papers, not one per probe, while
each probe still reads the newest day from the database; after papers arrive, the day is
right at once and the count within PAPER_COUNT_FRESH seconds (the test moves the
module's clock instead of waiting)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

import paperboy.ops.health as health
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ops.health import PAPER_COUNT_FRESH
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import SMALL_PAPERS

BURST = 50


class Clock:
    """The module's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(health, "monotonic", moved)
    return moved


@pytest.fixture
def app_store(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=db_url,
        base_url="http://testserver",
        background_indexing=False,
        digest_scheduler=False,
        jobs=False,
    )
    store = Store.open(db_url)
    try:
        with TestClient(create_app(settings, store)) as client:
            yield client, store
    finally:
        store.close()


def _statements(store: Store) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).lower().split()))

    event.listen(store.engine, "before_cursor_execute", record)
    return seen, record


def test_a_burst_of_probes_counts_the_papers_once(
    app_store: tuple[TestClient, Store], clock: Clock
) -> None:
    client, store = app_store
    ingest_jsonl(store, SMALL_PAPERS)
    seen, record = _statements(store)
    try:
        answers = [client.get("/api/health") for _ in range(BURST)]
        clock.now += PAPER_COUNT_FRESH - 0.5  # still fresh: no second count
        answers += [client.get("/api/health") for _ in range(BURST)]
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["papers"] for a in answers} == {37}
    counts = [s for s in seen if "count(" in s and "from papers" in s]
    assert len(counts) == 1
    # ... yet every probe asks the database (it answers only while the database does).
    newest_day = [s for s in seen if "max(papers.announced)" in s]
    assert len(newest_day) == 2 * BURST


def test_the_answer_follows_new_papers_within_the_documented_staleness(
    app_store: tuple[TestClient, Store], clock: Clock
) -> None:
    client, store = app_store
    first = client.get("/api/health").json()
    assert first == {"status": "ok", "papers": 0, "latest_day": None}

    ingest_jsonl(store, SMALL_PAPERS)
    newest = store.papers.latest_announced()
    assert newest is not None
    soon = client.get("/api/health").json()
    assert soon["latest_day"] == newest.isoformat()  # read on every probe
    assert soon["papers"] == 0  # the count may lag by up to PAPER_COUNT_FRESH seconds

    clock.now += PAPER_COUNT_FRESH
    later = client.get("/api/health").json()
    assert later == {"status": "ok", "papers": 37, "latest_day": newest.isoformat()}
