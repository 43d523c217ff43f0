"""A web process that starts with an empty keyword index: `/ready` says 503 (not built,
then building with the papers still to index) until its index has caught up, while
searches keep answering from what is indexed so far; once ready it stays ready when a
large ingest lands on the running site."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search import lexical
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.ops.cluster import marker, write_papers

PAPERS = 400
BATCH = 50  # the index commits every 50 papers here (5,000 in the product)


def _found(client: TestClient, i: int) -> bool:
    answer = client.get("/api/search", params={"q": marker(i), "mode": "lexical"})
    assert answer.status_code == 200  # never blocked, never an error while building
    return bool(answer.json()["results"])


def test_a_cold_node_is_not_ready_while_it_builds_and_answers_meanwhile(
    settings: Settings, sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = utcnow().date()
    write_papers(tmp_path / "papers.jsonl", 10000, PAPERS, today, seed=3)
    assert ingest_jsonl(sqlite_store, tmp_path / "papers.jsonl").added == PAPERS
    monkeypatch.setattr(lexical, "SYNC_BATCH", BATCH)
    service = SearchService(settings, sqlite_store)
    with TestClient(create_app(settings, sqlite_store, service)) as client:
        cold = client.get("/ready")
        assert cold.status_code == 503
        assert cold.json()["checks"]["keyword_index"].startswith("not built yet")
        assert not _found(client, 10000)

        stopped = threading.Event()
        stopped.set()  # the build is interrupted after its first committed batch
        service.lexical.sync(sqlite_store, stop=stopped)
        building = client.get("/ready")
        assert building.status_code == 503
        left = PAPERS - BATCH
        assert building.json()["checks"]["keyword_index"] == (
            f"building: {left} papers not indexed yet"
        )
        assert _found(client, 10000)  # the first batch is searchable already
        assert not _found(client, 10000 + PAPERS - 1)  # the rest not yet

        service.lexical.sync(sqlite_store)
        assert client.get("/ready").status_code == 200
        assert _found(client, 10000 + PAPERS - 1)

        # A large ingest on the running site: the node stays in the load balancer.
        write_papers(tmp_path / "more.jsonl", 20000, PAPERS, today, seed=4)
        assert ingest_jsonl(sqlite_store, tmp_path / "more.jsonl").added == PAPERS
        assert client.get("/ready").status_code == 200
