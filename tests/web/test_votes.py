"""Upvotes through the app: a reader signed in by the real emailed link (aiosmtpd), the
JS-free form path, the JSON API, counts on every listing, sort by votes and trending."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # the fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in

PAPER = "2606.28374"  # announced 2026-06-30 in the fixture papers
DAY = "2026-06-30"


@pytest.fixture
def app_settings(settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    return make_settings(settings.data_dir, mailbox[1], model_dir=settings.model_dir)


@pytest.fixture
def anon(
    app_settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[TestClient]:
    app = create_app(app_settings, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def reader(anon: TestClient, mailbox: tuple[Mailbox, int]) -> TestClient:
    sign_in(anon, mailbox[0], "reader@example.org")
    return anon


def count_on(html: str, arxiv_id: str) -> int:
    """The vote count shown next to a paper's vote control."""
    found = re.search(
        rf'/paper/{re.escape(arxiv_id)}/vote".*?class="vote-count">(\d+)<', html, re.S
    )
    assert found, f"no vote control for {arxiv_id}"
    return int(found.group(1))


def vote_form(client: TestClient, arxiv_id: str, next_path: str) -> tuple[int, str]:
    page = client.get(next_path)
    answer = client.post(
        f"/paper/{arxiv_id}/vote", data={"csrf_token": csrf_of(page.text), "next": next_path}
    )
    return answer.status_code, answer.headers.get("location", "")


def test_form_toggles_and_redirects_back(reader: TestClient) -> None:
    page = reader.get(f"/paper/{PAPER}")
    assert count_on(page.text, PAPER) == 0 and 'aria-pressed="false"' in page.text
    status, location = vote_form(reader, PAPER, f"/day/{DAY}?cat=cs.AI")
    assert (status, location) == (303, f"/day/{DAY}?cat=cs.AI")
    feed = reader.get(f"/day/{DAY}?cat=cs.AI")
    assert count_on(feed.text, PAPER) == 1
    page = reader.get(f"/paper/{PAPER}")
    assert count_on(page.text, PAPER) == 1 and 'aria-pressed="true"' in page.text
    assert reader.get(f"/api/papers/{PAPER}").json()["upvotes"] == 1
    assert vote_form(reader, PAPER, f"/paper/{PAPER}") == (303, f"/paper/{PAPER}")
    assert count_on(reader.get(f"/paper/{PAPER}").text, PAPER) == 0
    assert reader.get(f"/api/papers/{PAPER}").json()["upvotes"] == 0


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_site(reader: TestClient, evil: str) -> None:
    page = reader.get(f"/paper/{PAPER}")
    answer = reader.post(
        f"/paper/{PAPER}/vote", data={"csrf_token": csrf_of(page.text), "next": evil}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/paper/{PAPER}"


def test_api_vote_toggles_with_the_csrf_header(reader: TestClient) -> None:
    token = csrf_of(reader.get("/").text)
    on = reader.post(f"/api/papers/{PAPER}/vote", headers={"X-CSRF-Token": token})
    assert on.status_code == 200 and on.json() == {"id": PAPER, "upvotes": 1, "voted": True}
    feed = reader.get(f"/api/feed?date={DAY}&limit=500").json()
    assert {p["id"]: p["upvotes"] for p in feed["papers"]}[PAPER] == 1
    off = reader.post(f"/api/papers/{PAPER}/vote", headers={"X-CSRF-Token": token})
    assert off.json() == {"id": PAPER, "upvotes": 0, "voted": False}
    missing = reader.post("/api/papers/2401.99999/vote", headers={"X-CSRF-Token": token})
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    no_csrf = reader.post(f"/api/papers/{PAPER}/vote")
    assert no_csrf.status_code == 403


def test_signed_out_sees_the_count_and_a_sign_in_link(anon: TestClient) -> None:
    page = anon.get(f"/day/{DAY}")
    assert "sign in to vote" in page.text and 'class="vote-form"' not in page.text
    # A signed-out POST (with a valid CSRF token of its session) goes to sign in ...
    token = csrf_of(anon.get("/signin").text)
    form = anon.post(f"/paper/{PAPER}/vote", data={"csrf_token": token, "next": "/"})
    assert form.status_code == 303 and form.headers["location"] == "/signin?next=%2F"
    # ... and the API answers 401 (the CurrentReader guard) in the one error shape.
    api = anon.post(f"/api/papers/{PAPER}/vote", headers={"X-CSRF-Token": token})
    assert api.status_code == 401 and api.json()["error"]["title"] == "Sign in required"


def test_counts_include_imported_upvotes_everywhere(
    reader: TestClient, loaded_store: Store
) -> None:
    with loaded_store.engine.begin() as conn:
        from sqlalchemy import update

        from paperboy.store.models import papers

        conn.execute(update(papers).where(papers.c.arxiv_id == PAPER).values(imported_upvotes=7))
    token = csrf_of(reader.get("/").text)
    assert (
        reader.post(f"/api/papers/{PAPER}/vote", headers={"X-CSRF-Token": token}).json()["upvotes"]
        == 8
    )
    assert count_on(reader.get(f"/day/{DAY}").text, PAPER) == 8
    assert count_on(reader.get(f"/paper/{PAPER}").text, PAPER) == 8
    assert reader.get(f"/api/papers/{PAPER}").json()["upvotes"] == 8
    results = reader.get("/api/search", params={"q": PAPER}).json()["results"]
    assert results[0]["id"] == PAPER and results[0]["upvotes"] == 8
    search_page = reader.get("/search", params={"q": "Recursive Self-Evolving Agents"})
    assert count_on(search_page.text, PAPER) == 8
    # similar papers carry counts too (the JSON API and the page's list)
    similar = reader.get(f"/api/papers/{PAPER}/similar").json()["results"]
    assert similar and all("upvotes" in r for r in similar)
    assert reader.get(f"/paper/{similar[0]['id']}").text.count('class="vote-count"') >= 2


def test_feed_sorts_by_votes_and_keeps_the_category(
    reader: TestClient, loaded_store: Store
) -> None:
    newest = reader.get(f"/api/feed?date={DAY}&limit=500").json()["papers"]
    last = newest[-1]["id"]
    paper = loaded_store.papers.get_paper(last)
    assert paper is not None
    for i in range(3):
        user = loaded_store.accounts.create_user(f"v{i}@example.org")
        loaded_store.votes.toggle_vote(user.id, paper.id)
    by_votes = reader.get(f"/api/feed?date={DAY}&limit=500&sort=votes").json()
    assert by_votes["sort"] == "votes" and by_votes["papers"][0]["id"] == last
    assert by_votes["papers"][0]["upvotes"] == 3
    assert reader.get(f"/api/feed?date={DAY}&sort=best").status_code == 422
    html = reader.get(f"/day/{DAY}?sort=votes").text
    assert html.index(f"/paper/{last}") < html.index(f"/paper/{newest[0]['id']}")
    cat = newest[-1]["categories"][0]
    page = reader.get(f"/day/{DAY}?cat={cat}").text
    assert f'href="/day/{DAY}?cat={cat}&amp;sort=votes"' in page
    assert reader.get("/?sort=votes").status_code == 200
    assert reader.get("/week/2026-06-29?sort=votes").status_code == 200
    assert reader.get("/month/2026-06?sort=votes").status_code == 200


def test_trending_page_and_api(reader: TestClient, loaded_store: Store) -> None:
    ids = [p["id"] for p in reader.get(f"/api/feed?date={DAY}&limit=3").json()["papers"]]
    now = utcnow()
    users = [loaded_store.accounts.create_user(f"t{i}@example.org") for i in range(3)]
    # Old papers (announced 2026-06-30), voted for just now: in the 1-day window.
    for n, arxiv_id in zip((1, 3, 2), ids, strict=True):
        paper = loaded_store.papers.get_paper(arxiv_id)
        assert paper is not None
        for user in users[:n]:
            loaded_store.votes.add_vote(user.id, paper.id, now - timedelta(minutes=5))
    api = reader.get("/api/trending?window=1&limit=10").json()
    assert api["window"] == 1 and api["gravity"] == 1.8 and api["offset_hours"] == 2.0
    assert [p["id"] for p in api["papers"]] == [ids[1], ids[2], ids[0]]
    assert [p["upvotes"] for p in api["papers"]] == [3, 2, 1]
    assert api["papers"][0]["score"] > api["papers"][1]["score"] > 0
    assert reader.get("/api/trending?limit=1").json()["window"] == 7
    assert len(reader.get("/api/trending?window=30&limit=2").json()["papers"]) == 2
    bad = reader.get("/api/trending?window=2")
    assert bad.status_code == 422 and bad.json()["error"]["status"] == 422
    assert reader.get("/api/trending?window=x").status_code == 422
    page = reader.get("/trending?window=1")
    assert page.status_code == 200 and page.text.index(ids[1]) < page.text.index(ids[0])
    assert 'href="/day?cat=' in page.text
    assert reader.get("/trending?window=5").status_code == 422
    assert 'href="/trending"' in reader.get("/").text
    spec = reader.get("/api/openapi.json").json()["paths"]
    assert "/api/trending" in spec and "post" in spec["/api/papers/{arxiv_id}/vote"]


def test_rows_have_a_sparkline(reader: TestClient, loaded_store: Store) -> None:
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None
    user = loaded_store.accounts.create_user("s@example.org")
    loaded_store.votes.add_vote(user.id, paper.id, utcnow() - timedelta(days=3))
    html = reader.get(f"/day/{DAY}").text
    rows = html.count('<li class="paper-row">')
    # Only the paper with votes draws a line; a flat line at zero says nothing.
    assert rows > 5 and html.count('<svg class="spark"') == 1
    assert "votes over the last 14 days: 0 to 1" in html
    assert "<script>" not in html and 'src="/static/vote.js' in html


def test_vote_script_is_served(anon: TestClient) -> None:
    js = anon.get("/static/vote.js")
    assert js.status_code == 200 and "X-CSRF-Token" in js.text
