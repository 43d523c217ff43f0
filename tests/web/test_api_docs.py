"""The OpenAPI document covers every /api operation (summary, description, examples,
errors, the rate limiter's 429) and the read endpoints page the same way (page numbers,
`next_page` null on the last page)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from paperboy.store import Store
from paperboy.web.api.docs import SUCCESS_EXAMPLES

DAY = "2026-06-30"  # 13 fixture papers


def api_operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    schema = client.get("/api/openapi.json").json()
    return [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    ]


def test_every_operation_is_documented_with_examples_and_errors(client: TestClient) -> None:
    operations = api_operations(client)
    assert len(operations) >= 10
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("tags"), where
        for code, response in op["responses"].items():
            content = response.get("content", {}).get("application/json")
            if code.startswith(("4", "5")):
                assert content is not None, f"{where} {code}"
                assert content["example"]["error"]["status"] == int(code), f"{where} {code}"
        if path != "/api/health":
            limited = op["responses"]["429"]
            assert limited["headers"]["Retry-After"]["schema"]["type"] == "integer", where
            ok = next(r for c, r in op["responses"].items() if c.startswith("2"))
            assert "X-RateLimit-Remaining" in ok["headers"], where
        for parameter in op.get("parameters", []):
            if parameter["name"] == "arxiv_id":
                assert parameter["example"], where


def test_paperboys_own_endpoints_have_full_examples(client: TestClient) -> None:
    documented = {(m, p): op for m, p, op in api_operations(client)}
    assert set(SUCCESS_EXAMPLES) <= set(documented)
    for key, example in SUCCESS_EXAMPLES.items():
        op = documented[key]
        assert op.get("description"), key
        ok = next(r for c, r in op["responses"].items() if c.startswith("2"))
        assert ok["content"]["application/json"]["example"] == example, key


def test_examples_show_what_the_api_answers(client: TestClient) -> None:
    """The documented examples have the same keys as real answers."""
    real = {
        ("get", "/api/feed"): client.get(f"/api/feed?date={DAY}&limit=2").json(),
        ("get", "/api/search"): client.get("/api/search?q=agents&limit=2").json(),
        ("get", "/api/trending"): client.get("/api/trending?window=30").json(),
        ("get", "/api/papers/{arxiv_id}"): client.get("/api/papers/2606.28374").json(),
        ("get", "/api/daily_papers"): client.get(f"/api/daily_papers?date={DAY}").json(),
    }
    for key, answer in real.items():
        example = SUCCESS_EXAMPLES[key]
        if isinstance(answer, list):
            answer, example = answer[0], example[0]
        assert set(example) == set(answer), key


def test_feed_search_and_trending_page_alike(client: TestClient, loaded_store: Store) -> None:
    feed = [client.get(f"/api/feed?date={DAY}&limit=5&page={n}").json() for n in (1, 2, 3)]
    assert [f["next_page"] for f in feed] == [2, 3, None]
    assert feed[0]["total"] == 13 and feed[0]["pages"] == 3
    assert len({p["id"] for f in feed for p in f["papers"]}) == 13

    first = client.get("/api/search?q=language models&limit=3").json()
    assert first["next_page"] == 2 and first["pages"] > 1
    last = client.get(f"/api/search?q=language models&limit=3&page={first['pages']}").json()
    assert last["next_page"] is None

    # Votes cast now put old papers into the 7-day trending window.
    reader = loaded_store.accounts.create_user("trend@example.org")
    for paper in feed[0]["papers"] + feed[1]["papers"][:4]:
        stored = loaded_store.papers.get_paper(paper["id"])
        assert stored is not None
        loaded_store.votes.toggle_vote(reader.id, stored.id)
    everything = client.get("/api/trending?window=7&limit=100").json()["papers"]
    assert len(everything) == 9
    pages: list[str] = []
    page: int | None = 1
    while page is not None:
        answer = client.get(f"/api/trending?window=7&limit=4&page={page}").json()
        assert answer["page"] == page
        pages.extend(p["id"] for p in answer["papers"])
        page = answer["next_page"]
    assert pages == [p["id"] for p in everything]


def test_each_operation_has_one_tag(client: TestClient) -> None:
    """Swagger UI lists an operation once under each of its tags."""
    for method, path, op in api_operations(client):
        assert len(op["tags"]) == 1, f"{method.upper()} {path}: {op['tags']}"
    tags = {op["tags"][0] for _, _, op in api_operations(client)}
    assert {"papers", "community", "search", "library"} <= tags


def test_docs_page_links_back_to_the_site(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert re.search(r'<a href="/"[^>]*>[^<]*Back to paperboy</a>', page.text)
