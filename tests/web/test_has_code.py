"""``?has_code=1`` (and ``has:code`` in the search box) on the feed, trending and search,
their API and their RSS/Atom feeds: only papers that link a code repository."""

from __future__ import annotations

import feedparser
import pytest
from fastapi.testclient import TestClient

from paperboy.store import Store

# The fixture papers whose abstract or comment links a GitHub repository.
WITH_CODE = {"2606.27670", "2606.28122", "2606.27731"}


def _store(client: TestClient) -> Store:
    return client.app.state.store  # type: ignore[attr-defined,no-any-return]


def test_the_fixture_papers_with_code_are_the_ones_with_repository_links(
    client: TestClient,
) -> None:
    assert set(_store(client).code.arxiv_ids_with_code()) == WITH_CODE


def test_feed_page_and_api_keep_only_papers_with_code(client: TestClient) -> None:
    month = client.get("/api/feed?view=month&date=2026-06&limit=500").json()
    assert {p["id"] for p in month["papers"]} >= WITH_CODE and month["total"] > len(WITH_CODE)
    coded = client.get("/api/feed?view=month&date=2026-06&limit=500&has_code=1").json()
    assert {p["id"] for p in coded["papers"]} == WITH_CODE and coded["total"] == 3
    page = client.get("/month/2026-06?has_code=1&cat=cs.CE").text
    assert "3 papers with code in <strong>cs.CE</strong>" in page
    for arxiv_id in WITH_CODE:
        assert f'href="/paper/{arxiv_id}"' in page
    # The other filters keep has_code, and the switch turns it off.
    assert 'href="/month/2026-06?cat=cs.CE&amp;sort=votes&amp;has_code=1"' in page
    assert 'href="/month/2026-06?cat=cs.CE"' in page  # "With code" again: off


def test_daily_feed_with_code(client: TestClient) -> None:
    everything = feedparser.parse(client.get("/feeds/daily.rss").text)
    coded = feedparser.parse(client.get("/feeds/daily.atom?has_code=1").text)
    ids = {e.link.rsplit("/", 1)[1] for e in coded.entries}
    newest_day = {e.link.rsplit("/", 1)[1] for e in everything.entries}
    assert ids == WITH_CODE & newest_day
    assert "with code" in coded.feed.title
    assert coded.feed.link.endswith("/day?has_code=1")


def test_search_with_code(client: TestClient) -> None:
    alone = client.get("/api/search?q=has:code&mode=lexical").json()
    assert {p["id"] for p in alone["results"]} == WITH_CODE and alone["total"] == 3
    for mode in ("lexical", "semantic", "hybrid"):
        body = client.get(f"/api/search?q=time series models&mode={mode}&has_code=1").json()
        found = {p["id"] for p in body["results"]}
        assert found and found <= WITH_CODE, mode
        box = client.get(f"/api/search?q=time series models has:code&mode={mode}").json()
        assert {p["id"] for p in box["results"]} == found, mode
    unfiltered = client.get("/api/search?q=time series models&mode=hybrid").json()
    assert {p["id"] for p in unfiltered["results"]} - WITH_CODE  # the filter did something
    page = client.get("/search?q=time+series&has_code=1").text
    assert 'name="has_code" value="1" checked' in page
    rss = feedparser.parse(client.get("/feeds/search.rss?q=time+series&has_code=1").text)
    assert rss.entries and {e.link.rsplit("/", 1)[1] for e in rss.entries} <= WITH_CODE


def test_unknown_has_filter_is_a_clear_error(client: TestClient) -> None:
    answer = client.get("/api/search?q=has:data")
    assert answer.status_code == 422
    assert "has: only has:code is known, not 'data'" in answer.text


@pytest.mark.parametrize("path", ["/api/trending?window=7", "/trending?window=7"])
def test_trending_with_code(client: TestClient, path: str) -> None:
    store = _store(client)
    reader = store.accounts.create_user("reader@example.org")
    for arxiv_id in ("2606.27670", "2606.26139"):  # with code, without
        paper = store.papers.get_paper(arxiv_id)
        assert paper is not None
        store.votes.toggle_vote(reader.id, paper.id)
    everything = client.get(path)
    coded = client.get(path + "&has_code=1")
    if path.startswith("/api"):
        assert {p["id"] for p in everything.json()["papers"]} == {"2606.27670", "2606.26139"}
        assert [p["id"] for p in coded.json()["papers"]] == ["2606.27670"]
    else:
        assert "/paper/2606.26139" in everything.text
        assert "/paper/2606.27670" in coded.text and "/paper/2606.26139" not in coded.text
        assert 'href="/trending?window=1&amp;has_code=1"' in coded.text
    atom = feedparser.parse(client.get("/feeds/trending.atom?window=7&has_code=1").text)
    assert [e.link.rsplit("/", 1)[1] for e in atom.entries] == ["2606.27670"]
