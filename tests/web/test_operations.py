"""/health, /ready and /metrics through the real app: the request counter moves by route
template (never the raw path), only allowed readers see metrics, the database figures
follow the database, and /ready answers 503 with a reason when the database is down,
migrations are pending or the keyword index is not built."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from paperboy.arxiv import PaperRecord
from paperboy.cli import cli
from paperboy.clock import utcnow
from paperboy.config import Settings, load_settings
from paperboy.errors import ConfigError
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.db import upgrade_schema
from paperboy.web import create_app
from paperboy.web.operations import address_allowed

LOOPBACK = ("127.0.0.1", 50123)
TOKEN = "m" * 8 + "-a-long-random-metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def request_count(text: str, route: str, status: str) -> float:
    key = (
        "paperboy_http_requests_total",
        (("method", "GET"), ("route", route), ("status", status)),
    )
    return samples(text).get(key, 0.0)


@pytest.fixture
def local(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[TestClient]:
    """The app as seen from 127.0.0.1 (TestClient's own address is not an IP)."""
    with TestClient(create_app(settings, loaded_store, search_service), client=LOOPBACK) as c:
        yield c


def test_request_counter_moves_by_route_template(local: TestClient, loaded_store: Store) -> None:
    paper_id = _some_paper(loaded_store)
    before = local.get("/metrics").text
    for _ in range(3):
        assert local.get(f"/paper/{paper_id}").status_code == 200
    assert local.get("/no/such/page-7f3a").status_code == 404
    after = local.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    template = "/paper/{arxiv_id:path}"
    assert request_count(after.text, template, "200") - request_count(before, template, "200") == 3
    assert request_count(after.text, "(unmatched)", "404") >= 1
    # Raw paths never become labels: the number of series stays bounded.
    assert paper_id not in after.text and "page-7f3a" not in after.text
    histogram = ("paperboy_http_request_duration_seconds_count",)
    counts = [v for (name, labels), v in samples(after.text).items() if (name,) == histogram]
    assert counts and all(v >= 1 for v in counts)


def _some_paper(store: Store) -> str:
    day = store.papers.latest_announced()
    assert day is not None
    return store.papers.feed(day, day).papers[0].arxiv_id


def test_metrics_only_for_allowed_addresses_or_the_token(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    app = create_app(settings, loaded_store, search_service)
    with TestClient(app, client=("203.0.113.9", 4000)) as outsider:
        denied = outsider.get("/metrics")
        assert denied.status_code == 403
        assert denied.json()["error"]["status"] == 403
        assert "paperboy_" not in denied.text
    tokened = settings.model_copy(update={"metrics_token": TOKEN, "metrics_allow_ips": ""})
    app = create_app(tokened, loaded_store, search_service)
    with TestClient(app, client=LOOPBACK) as c:
        assert c.get("/metrics").status_code == 403  # loopback is no longer enough
        wrong = {"authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert c.get("/metrics", headers=wrong).status_code == 403
        ok = c.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and "paperboy_http_requests_total" in ok.text
    # The token is never printed back, not even to a reader who has it.
    assert TOKEN not in ok.text


def test_allowed_addresses() -> None:
    assert address_allowed("127.0.0.1,::1", "127.0.0.1")
    assert address_allowed("127.0.0.1,::1", "::1")
    assert address_allowed("127.0.0.1", "::ffff:127.0.0.1")  # IPv4 over an IPv6 socket
    assert address_allowed("10.0.0.0/24", "10.0.0.77")
    assert not address_allowed("10.0.0.0/24", "10.0.1.1")
    assert not address_allowed("127.0.0.1", "testclient")  # not an address at all
    assert not address_allowed("", "127.0.0.1")
    assert not address_allowed("127.0.0.1", None)
    assert address_allowed("*", "198.51.100.1")


def test_database_figures_follow_the_database(
    local: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    def figure(name: str) -> float:
        found = [v for (n, _), v in samples(local.get("/metrics").text).items() if n == name]
        assert len(found) == 1, name
        return found[0]

    assert figure("paperboy_database_up") == 1
    papers = figure("paperboy_papers")
    assert papers == loaded_store.papers.count_papers() == 37
    assert figure("paperboy_embedding_backlog") == 0
    assert figure("paperboy_index_lag_papers") == 0
    assert figure("paperboy_index_lag_seconds") == 0
    now = utcnow()
    record = PaperRecord(
        arxiv_id="2699.00001",
        title="A paper the indexes have not seen",
        abstract="Stored after the last index update.",
        authors=["A. Author"],
        categories=["cs.CL"],
        announced=(now - timedelta(days=1)).date(),
    )
    loaded_store.papers.upsert_papers([record])
    assert figure("paperboy_papers") == 38
    assert figure("paperboy_embedding_backlog") == 1
    assert figure("paperboy_index_lag_papers") == 1
    assert figure("paperboy_index_lag_seconds") > 0
    search_service.update(embed=True)
    assert figure("paperboy_embedding_backlog") == 0
    assert figure("paperboy_index_lag_papers") == 0
    assert figure("paperboy_digests_sent_total") == loaded_store.digests.outbox_counts().get(
        "sent", 0
    )


def test_health_and_ready_on_a_working_site(local: TestClient) -> None:
    assert local.get("/health").json() == {"status": "ok"}
    assert local.get("/api/health").json()["status"] == "ok"  # the API's stays
    ready = local.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "keyword_index": "ok"},
    }


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_ready_is_503_when_postgresql_is_down(settings: Settings) -> None:
    url = f"postgresql+psycopg://paperboy:secret-pw@127.0.0.1:{_closed_port()}/paperboy"
    store = Store.open(url, migrate=False)
    try:
        with TestClient(create_app(settings, store), client=LOOPBACK) as c:
            assert c.get("/health").status_code == 200  # alive, though not ready
            ready = c.get("/ready")
            assert ready.status_code == 503
            body = ready.json()
            assert body["status"] == "not ready"
            assert body["checks"]["database"] == "unreachable"
            assert body["reason"].startswith("database: unreachable")
            assert "secret-pw" not in ready.text and "127.0.0.1" not in ready.text
            scrape = c.get("/metrics")
            assert scrape.status_code == 200
            assert samples(scrape.text)[("paperboy_database_up", ())] == 0
    finally:
        store.close()


def test_ready_is_503_while_migrations_are_pending(settings: Settings, sqlite_url: str) -> None:
    store = Store.open(sqlite_url, migrate=False)
    upgrade_schema(store.engine, "0012")
    try:
        with TestClient(create_app(settings, store)) as c:
            ready = c.get("/ready")
            assert ready.status_code == 503
            state = ready.json()["checks"]["migrations"]
            assert state.startswith("database at revision 0012, code expects ")
            assert "paperboy db upgrade" in state
        upgrade_schema(store.engine)
        with TestClient(create_app(settings, store)) as c:
            assert c.get("/ready").status_code == 200
    finally:
        store.close()


def test_ready_is_503_until_the_keyword_index_is_built(
    settings: Settings, loaded_store: Store
) -> None:
    fresh = settings.model_copy(update={"index_dir": settings.data_dir / "new-index"})
    service = SearchService(fresh, loaded_store)
    with TestClient(create_app(fresh, loaded_store, service)) as c:
        ready = c.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["keyword_index"].startswith("not built yet")
        service.update(embed=False)
        assert c.get("/ready").status_code == 200


def test_metrics_settings_are_checked_and_the_token_is_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match=r"PAPERBOY_METRICS_TOKEN: .*placeholder or shorter"):
        load_settings(metrics_token="short")
    with pytest.raises(ConfigError, match=r"PAPERBOY_METRICS_ALLOW_IPS: .*'prometheus.local'"):
        load_settings(metrics_allow_ips="127.0.0.1,prometheus.local")
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERBOY_METRICS_TOKEN", TOKEN)
    shown = CliRunner().invoke(cli, ["config", "show"])
    assert shown.exit_code == 0, shown.output
    assert "PAPERBOY_METRICS_TOKEN=********" in shown.output and TOKEN not in shown.output


def test_answers_made_before_routing_count_under_their_route(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    """The rate limiter answers 429 before the router runs: still labelled /api/feed."""
    tight = settings.model_copy(update={"api_read_limit": 1, "api_rate_window": 600.0})
    with TestClient(create_app(tight, loaded_store, search_service), client=LOOPBACK) as c:
        before = c.get("/metrics").text
        assert c.get("/api/feed").status_code == 200
        assert c.get("/api/feed").status_code == 429
        after = c.get("/metrics").text
    for status in ("200", "429"):
        moved = request_count(after, "/api/feed", status) - request_count(
            before, "/api/feed", status
        )
        assert moved == 1, status
