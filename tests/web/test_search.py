"""Search through HTTP: the page, the API, similar papers, and hostile queries."""

from __future__ import annotations

import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.ingest.records import make_record
from paperboy.store import Store
from paperboy.web import create_app

BAD_QUERIES = [
    "",
    "x" * 10_000,
    '"unbalanced quote',
    'two "unbalanced" quotes"',
    "title:(x AND y) OR NOT z*",
    "NEAR(attention transformer, 5)",
    "attention* ^2 ~ {a} [b TO c]",
    "'; DROP TABLE papers; --",
    "1 OR 1=1 UNION SELECT * FROM users",
    "\x00\x01\x1f control \x7f",
    "<script>alert(1)</script>",
    "author:",
    "cat:",
    "year:abc",
    "year:99999",
    "from:2025-02-30",
    "to:not-a-date",
    "cat:<b>",
    ":::",
    '""""',
    "🙂 émoji ünïcode 中文",
    "-attention +transformer",
    "2503.11731",
    "arxiv.org/abs/../../etc/passwd",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_hostile_queries_never_fail_with_500(client: TestClient, query: str) -> None:
    api = client.get("/api/search", params={"q": query})
    assert api.status_code in (200, 404, 422), api.text
    if api.status_code != 200:
        assert api.json()["error"]["status"] == api.status_code
    else:
        assert isinstance(api.json()["results"], list)
    page = client.get("/search", params={"q": query}, follow_redirects=False)
    assert page.status_code in (200, 303, 422)
    assert "<script>alert(1)</script>" not in page.text


def test_api_search_shape(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "quantum channel capacity", "limit": 3}).json()
    assert body["mode"] == "hybrid" and len(body["results"]) == 3
    first = body["results"][0]
    assert {"id", "title", "score", "authors", "snippet", "snippet_html", "url"} <= set(first)
    assert first["id"] in {"2606.28842", "2606.27442"}
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_api_modes_filters_and_pages(client: TestClient) -> None:
    lexical = client.get("/api/search", params={"q": "codes", "mode": "lexical"}).json()
    assert lexical["mode"] == "lexical" and lexical["total"] >= 3
    filtered = client.get(
        "/api/search", params={"q": "codes", "cat": "cs.IT", "from": "2026-06-30"}
    )
    assert all(r["announced"] == "2026-06-30" for r in filtered.json()["results"])
    page2 = client.get("/api/search", params={"q": "models", "limit": 2, "page": 2}).json()
    page1 = client.get("/api/search", params={"q": "models", "limit": 2, "page": 1}).json()
    assert page1["pages"] >= 2
    assert not {r["id"] for r in page1["results"]} & {r["id"] for r in page2["results"]}
    bad = client.get("/api/search", params={"q": "x", "from": "2026-99-01"})
    assert bad.status_code == 422


def test_arxiv_id_query(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "https://arxiv.org/abs/2606.27442v1"}).json()
    assert body["exact"] is True and [r["id"] for r in body["results"]] == ["2606.27442"]
    page = client.get("/search", params={"q": "2606.27442"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/paper/2606.27442"
    missing = client.get("/search", params={"q": "2401.00001"})
    assert "paperboy ingest arxiv 2401.00001" in missing.text


def test_results_page(client: TestClient) -> None:
    page = client.get("/search", params={"q": "hard-wrapped lines", "mode": "lexical"})
    assert page.status_code == 200
    assert "<mark>lines</mark>" in page.text and "&lt;img src=x" in page.text
    assert 'value="hard-wrapped lines"' in page.text
    help_page = client.get("/search")
    assert "Search papers" in help_page.text and 'author:"yann lecun"' in help_page.text


def test_search_box_on_every_page(client: TestClient) -> None:
    for url in ("/", "/paper/2606.27442", "/month/2026-06"):
        assert 'action="/search"' in client.get(url).text


def test_similar_papers(client: TestClient) -> None:
    body = client.get("/api/papers/2606.28729/similar", params={"limit": 4}).json()
    assert body["id"] == "2606.28729" and len(body["results"]) == 4
    assert "2606.28729" not in [r["id"] for r in body["results"]]
    assert client.get("/api/papers/2401.00001/similar").status_code == 404
    page = client.get("/paper/2606.28729")
    assert "Similar papers" in page.text and body["results"][0]["id"] in page.text


def test_openapi_documents_search(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/search" in paths and "/api/papers/{arxiv_id}/similar" in paths
    params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert {"q", "limit", "page", "cat", "from", "to", "sort", "mode"} <= params


def test_running_server_indexes_new_papers_by_itself(
    settings: Settings, loaded_store: Store
) -> None:
    """The background indexer of `paperboy serve` finds papers another process added."""
    live = settings.model_copy(update={"background_indexing": True, "index_interval": 1.0})
    with TestClient(create_app(live, loaded_store)) as c:
        loaded_store.papers.upsert_papers(
            [
                make_record(
                    "2607.00042",
                    "Origami folding robots",
                    source="test",
                    abstract="Self-folding sheets walk.",
                    announced=date(2026, 7, 1),
                )
            ]
        )
        deadline = time.monotonic() + 30
        found: list[str] = []
        while time.monotonic() < deadline and "2607.00042" not in found:
            time.sleep(0.5)
            body = c.get("/api/search", params={"q": "paper folding machines", "mode": "semantic"})
            found = [r["id"] for r in body.json()["results"]]
        assert "2607.00042" in found
        assert c.get("/api/papers/2607.00042/similar").json()["results"]
