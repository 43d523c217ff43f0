"""Trending on a fresh demo: its HF counts are from 2023-24, so the window ending today
holds nothing and trending is computed as of the newest day with signal, and says so;
every row says where its upvotes come from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from paperboy.config import Settings
from paperboy.feed.trending import TrendingWeights, trending_list
from paperboy.store import Store
from paperboy.web.app import create_app


@pytest.fixture
def demo_client(settings: Settings, demo_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, demo_store)) as c:
        yield c


def test_fresh_demo_api_trending_has_real_upvotes_as_of_newest_signal_day(
    demo_client: TestClient, demo_store: Store
) -> None:
    body = demo_client.get("/api/trending?window=7&limit=50").json()
    newest = demo_store.hf.newest_signal_day()
    assert newest is not None
    assert body["as_of"] == newest.isoformat()
    papers = body["papers"]
    assert len(papers) >= 10
    assert all(p["upvotes"] > 0 for p in papers)
    for p in papers:
        why = p["why"]
        assert why["hf"] + why["here"] == p["upvotes"]
        assert why["text"] == f"HF {why['hf']}"  # nobody voted here yet
    counts = demo_store.hf.count_breakdown(
        demo_store.papers.get_paper(p["id"]).id  # type: ignore[union-attr]
        for p in papers
    )
    assert sorted(c.hf for c in counts.values()) == sorted(p["why"]["hf"] for p in papers)


def test_fresh_demo_trending_page_says_as_of_and_why(
    demo_client: TestClient, demo_store: Store
) -> None:
    html = demo_client.get("/trending").text
    newest = demo_store.hf.newest_signal_day()
    assert newest is not None
    assert f"Trending as of {newest.day} {newest.strftime('%b %Y')} — no newer signal" in html
    assert html.count('class="trending-why"') >= 10
    assert "No upvoted papers" not in html


def test_a_local_vote_today_ends_the_as_of_view(demo_client: TestClient, demo_store: Store) -> None:
    assert demo_client.get("/api/trending?window=7").json()["as_of"] is not None
    first = demo_client.get("/api/trending?window=7").json()["papers"][0]
    paper = demo_store.papers.get_paper(first["id"])
    assert paper is not None
    bob = demo_store.accounts.create_user("bob@example.org")
    demo_store.votes.toggle_vote(bob.id, paper.id)
    body = demo_client.get("/api/trending?window=7").json()
    assert body["as_of"] is None
    assert [p["id"] for p in body["papers"]] == [first["id"]]
    why = body["papers"][0]["why"]
    assert why == {
        "hf": first["why"]["hf"],
        "here": 1,
        "stars": None,
        "stars_days": None,
        "text": f"HF {first['why']['hf']} · here 1",
    }


def test_front_page_of_a_fresh_demo_leads_to_trending(demo_client: TestClient) -> None:
    html = demo_client.get("/").text
    assert 'class="trending-banner"' in html
    assert '<a href="/trending">Trending papers</a>' in html


def test_trending_feed_says_as_of(demo_client: TestClient, demo_store: Store) -> None:
    newest = demo_store.hf.newest_signal_day()
    assert newest is not None
    xml = demo_client.get("/feeds/trending.rss?window=7").text
    assert f"as of {newest.day} {newest.strftime('%b %Y')} (no newer signal)" in xml
    assert xml.count("<item>") >= 10


def test_trending_as_of_is_cached_like_trending_now(demo_store: Store) -> None:
    """The window ending now (empty) and the "as of" window keep a cache entry each: a
    repeated request runs neither candidate query again."""
    first = trending_list(demo_store, window=7, limit=20, weights=TrendingWeights())
    assert first.as_of is not None and first.papers
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(demo_store.engine, "before_cursor_execute", record)
    again = trending_list(demo_store, window=7, limit=20, weights=TrendingWeights())
    event.remove(demo_store.engine, "before_cursor_execute", record)
    assert [t.paper.id for t in again.papers] == [t.paper.id for t in first.papers]
    assert not [sql for sql in seen if "imported_upvotes >" in sql.lower()]
