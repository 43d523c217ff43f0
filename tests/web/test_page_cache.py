"""The anonymous page cache: hits for signed-out readers, a write anywhere (votes,
comments, moderation, new papers, from this process or another) shows at the next
request, signed-in readers and cookie-setting pages never share an answer, ETag/304."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.page_cache import AnonymousPageCache
from tests.store.test_papers import rec


@pytest.fixture
def app_client(settings: Settings, loaded_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, loaded_store)) as c:
        yield c


def cache_of(client: TestClient) -> AnonymousPageCache:
    app = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(app, AnonymousPageCache):
        app = app.app
    return app


def vote_elsewhere(database_url: str, arxiv_id: str) -> None:
    """A vote through another connection: another process, in effect."""
    other = Store.open(database_url)
    try:
        stored = other.papers.get_paper(arxiv_id)
        assert stored is not None
        other.votes.toggle_vote(other.accounts.create_user("v@example.org").id, stored.id)
    finally:
        other.close()


def _queries(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_repeated_anonymous_page_is_served_from_memory(
    app_client: TestClient, loaded_store: Store
) -> None:
    first = app_client.get("/day/2026-06-30")
    cache = cache_of(app_client)
    assert first.status_code == 200 and cache.misses == 1
    seen = _queries(loaded_store)
    again = app_client.get("/day/2026-06-30")
    assert again.text == first.text and cache.hits == 1
    assert len(seen) <= 3  # the data marker only: no page query ran
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "public, max-age=30"
    assert again.headers["vary"] == "Cookie, Authorization"
    assert again.headers["content-security-policy"]  # security headers on hits too
    not_modified = app_client.get(
        "/day/2026-06-30", headers={"If-None-Match": first.headers["etag"]}
    )
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_writes_from_another_process_show_at_once(settings: Settings, loaded_store: Store) -> None:
    every_request = settings.model_copy(update={"page_cache_check_ms": 0})
    with TestClient(create_app(every_request, loaded_store)) as app_client:
        _show_writes_of_another_process(app_client, settings)


def _show_writes_of_another_process(app_client: TestClient, settings: Settings) -> None:
    paper = "/paper/2606.27670"
    before = app_client.get(paper).text
    app_client.get("/api/feed?view=month&date=2026-06")
    other = Store.open(settings.resolved_database_url)  # another process, in effect
    try:
        stored = other.papers.get_paper("2606.27670")
        assert stored is not None
        user = other.accounts.create_user("voter@example.org")
        other.votes.toggle_vote(user.id, stored.id)
        after_vote = app_client.get(paper).text
        assert after_vote != before
        other.comments.add_comment(stored.id, user.id, "A cached page must show this.")
        assert "A cached page must show this." in app_client.get(paper).text
        other.papers.upsert_papers([rec("2606.99999", announced=date(2026, 6, 30))])
        month = app_client.get("/api/feed?view=month&date=2026-06&limit=500").json()
        assert "2606.99999" in {p["id"] for p in month["papers"]}
        other.moderation.set_paper_hidden(stored.id, True)
        month = app_client.get("/api/feed?view=month&date=2026-06&limit=500").json()
        assert "2606.27670" not in {p["id"] for p in month["papers"]}
    finally:
        other.close()


def test_under_load_the_marker_is_read_once_per_window(
    settings: Settings, loaded_store: Store
) -> None:
    """Within page_cache_check_ms a hit costs no query, so another process's write waits
    for the window to end; a state change through this process shows at once."""
    slow = settings.model_copy(update={"page_cache_check_ms": 10_000})
    with TestClient(create_app(slow, loaded_store)) as client:
        paper = "/paper/2606.27670"
        before = client.get(paper).text
        seen = _queries(loaded_store)
        assert client.get(paper).text == before and seen == []  # no query at all
        vote_elsewhere(settings.resolved_database_url, "2606.27670")
        assert client.get(paper).text == before  # within the window: not asked yet
        client.post("/api/feed")  # any state change through this process (here a 405)
        assert client.get(paper).text != before


def test_signed_in_readers_and_cookie_pages_are_never_cached(
    app_client: TestClient, loaded_store: Store
) -> None:
    cache = cache_of(app_client)
    # A page with a form hands out a CSRF token in the session cookie: not shared.
    signin = app_client.get("/signin")
    assert "set-cookie" in signin.headers and cache.misses == 0
    assert app_client.cookies  # this client now has a session cookie
    app_client.get("/day/2026-06-30")
    app_client.get("/day/2026-06-30")
    assert cache.hits == 0 and cache.misses == 0  # bypassed entirely
    api = app_client.get("/api/feed", headers={"Authorization": "Bearer pb_x"})
    assert api.status_code in (200, 401) and cache.hits == 0


def test_a_repeated_anonymous_search_is_served_from_memory(app_client: TestClient) -> None:
    """The page, the API and the search feed: kept under the search generation."""
    cache = cache_of(app_client)
    for path in ("/search?q=time+series", "/api/search?q=time+series", "/feeds/search.rss?q=a"):
        first = app_client.get(path)
        assert first.status_code == 200 and "set-cookie" not in first.headers
        misses = cache.misses
        assert app_client.get(path).content == first.content
        assert cache.misses == misses  # the second was a hit
    assert cache.hits == 3


def test_a_new_paper_shows_in_a_cached_search_once_the_index_has_it(
    settings: Settings, loaded_store: Store
) -> None:
    """The data marker moves at the paper's commit, before this node's index has the
    paper: the page rendered then (without it) must not outlive the index update."""
    every_request = settings.model_copy(update={"page_cache_check_ms": 0})
    app = create_app(every_request, loaded_store)
    with TestClient(app) as client:
        query = "/search?q=quokka+gravitational+lensing&mode=lexical"
        assert "2606.99998" not in client.get(query).text
        loaded_store.papers.upsert_papers(
            [rec("2606.99998", title="Quokka gravitational lensing", announced=date(2026, 6, 30))]
        )
        cache = cache_of(client)
        assert "2606.99998" not in client.get(query).text  # committed, not indexed yet
        assert "2606.99998" not in client.get(query).text and cache.hits == 1
        app.state.search.lexical.sync(loaded_store)
        assert "2606.99998" in client.get(query).text


def test_private_paths_are_not_cached(app_client: TestClient) -> None:
    cache = cache_of(app_client)
    for _ in range(2):
        app_client.get("/feeds/private/pb_nonexistent.rss")
        app_client.get("/library")
    assert cache.hits == 0 and cache.misses == 0


def test_the_cache_is_bounded(app_client: TestClient) -> None:
    cache = cache_of(app_client)
    pages = cache._pages
    pages.max_bytes = 100_000  # a day page is ~30 kB
    for n in range(20):
        assert app_client.get(f"/day/2026-06-30?x={n}").status_code == 200
    assert 0 < pages.size <= 100_000
    assert 1 <= len(pages.entries) <= 4
    assert list(pages.entries)[-1] == b"/day/2026-06-30?x=19"  # the newest stays
    # Searches have their own share: a stream of one-off queries leaves listings alone.
    for n in range(10):
        assert app_client.get(f"/search?q=attention+{n}").status_code == 200
    assert list(pages.entries)[-1] == b"/day/2026-06-30?x=19"
    assert 0 < cache._searches.size <= cache._searches.max_bytes


def test_off_when_the_setting_is_zero(settings: Settings, loaded_store: Store) -> None:
    off = settings.model_copy(update={"page_cache_seconds": 0})
    with TestClient(create_app(off, loaded_store)) as client:
        page = client.get("/day/2026-06-30")
        assert "etag" not in page.headers


def test_readers_asking_at_once_for_one_page_share_one_render(
    settings: Settings, loaded_store: Store
) -> None:
    """Twenty signed-out readers ask for the same uncached page at the same moment (the
    front page expiring under load): it is rendered once, the others wait for it."""
    import asyncio

    import httpx

    app = create_app(settings, loaded_store)
    renders: list[str] = []
    event.listen(
        loaded_store.engine,
        "before_cursor_execute",
        lambda *a: renders.append(a[2]) if "paper_categories" in a[2] else None,
    )

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return list(await asyncio.gather(*(c.get("/day/2026-06-30") for _ in range(20))))

    answers = asyncio.run(burst())
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    cache = app.middleware_stack
    while not isinstance(cache, AnonymousPageCache):
        cache = cache.app  # type: ignore[union-attr]
    assert cache.misses == 1 and cache.hits == 19
    assert renders  # the one render read the day's papers


def test_a_stale_marker_is_read_once_for_readers_asking_at_once(
    settings: Settings, loaded_store: Store
) -> None:
    """Twenty signed-out readers hit cached pages just after the freshness window ends:
    one of them reads the data marker and the others wait for that read (before, each
    took a worker thread for its own read, which under 50 clients gave every cached
    page a p90 of 35 ms)."""
    import asyncio
    import time

    import httpx

    app = create_app(settings.model_copy(update={"page_cache_check_ms": 1}), loaded_store)
    one_read = _queries(loaded_store)
    loaded_store.data_marker()
    statements_per_read = len(one_read)
    assert statements_per_read > 0

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await c.get("/day/2026-06-30")  # rendered once and kept
            time.sleep(0.01)  # the marker is now older than the window
            one_read.clear()
            return list(await asyncio.gather(*(c.get("/day/2026-06-30") for _ in range(20))))

    answers = asyncio.run(burst())
    assert {a.status_code for a in answers} == {200}
    assert len(one_read) == statements_per_read, one_read


def test_a_broken_search_index_leaves_listings_cached(
    settings: Settings, loaded_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """The generation is read with the data marker: if it fails, searches go uncached
    and every other page is still served (from the cache)."""
    app = create_app(settings, loaded_store)

    def broken() -> tuple[int, int]:
        raise OSError("the index folder is gone")

    with TestClient(app) as client:
        cache = cache_of(client)
        cache.generation = broken
        first = client.get("/day/2026-06-30")
        assert first.status_code == 200
        assert client.get("/day/2026-06-30").text == first.text and cache.hits == 1
        for _ in range(2):
            assert client.get("/search?q=time+series").status_code == 200
        assert cache.hits == 1  # the searches ran
    assert "searches go uncached" in caplog.text
