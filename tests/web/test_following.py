"""Following through the app: a reader signed in by the real emailed link (aiosmtpd)
follows an author, a category and a search from their pages (POST + CSRF), sees the new
papers with their reasons on /following, in the JSON API and in the private feed;
unfollows; the limit; export and import. The fixture papers are announced 2026-06-26..30
and the window ends at the newest announcement day, so the real clock does not matter."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.api.following import EXAMPLE, FollowingOut
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # the fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.store.test_papers import rec

EMAIL = "follower@example.org"


@pytest.fixture
def anon(
    settings: Settings,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
    search_service: SearchService,
) -> Iterator[TestClient]:
    app_settings = make_settings(
        settings.data_dir, mailbox[1], model_dir=settings.model_dir, following_max=4
    )
    with TestClient(create_app(app_settings, loaded_store, search_service)) as c:
        c.follow_redirects = False
        yield c


@pytest.fixture
def reader(anon: TestClient, mailbox: tuple[Mailbox, int]) -> TestClient:
    sign_in(anon, mailbox[0], EMAIL)
    return anon


def reasons(html: str) -> dict[str, str]:
    """arXiv id -> the reason shown under it, in page order."""
    found = {}
    for row in re.findall(r'<li class="paper-row.*?</li>', html, re.S):
        arxiv_id = re.search(r'href="/paper/([^"]+)"', row)
        why = re.search(r'<p class="following-reason">(.*?)</p>', row, re.S)
        if arxiv_id and why:
            found[arxiv_id.group(1)] = why.group(1).strip()
    return found


def post_form(client: TestClient, page: str, action: str, **fields: str) -> int:
    token = csrf_of(client.get(page).text)
    answer = client.post(action, data={"csrf_token": token, **fields})
    return answer.status_code


def test_follow_from_pages_and_see_reasons(
    reader: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    author_page = "/author/" + quote("Maëlle Gautrin")
    html = reader.get(author_page).text
    assert 'action="/following/follow"' in html and "Follow Maëlle Gautrin" in html
    assert (
        post_form(
            reader,
            author_page,
            "/following/follow",
            kind="author",
            value="Maëlle Gautrin",
            next=author_page,
        )
        == 303
    )
    assert "Following Maëlle Gautrin" in reader.get(author_page).text
    assert "Follow cs.GT" in reader.get("/day/2026-06-30?cat=cs.GT").text
    assert post_form(reader, "/day", "/following/follow", kind="category", value="cs.IT") == 303
    query = "channel estimation cat:cs.IT"
    assert "Follow this search" in reader.get("/search", params={"q": query}).text
    assert post_form(reader, "/following", "/following/follow", kind="search", value=query) == 303
    page = reader.get("/following").text
    shown = reasons(page)
    assert shown["2606.28773"] == "by Maëlle Gautrin"
    assert shown["2606.28778"].startswith("in cs.IT; matches ‘channel estimation’ cat:cs.IT")
    days = [loaded_store.papers.get_paper(a).announced for a in shown]  # type: ignore[union-attr]
    assert days == sorted(days, reverse=True)  # type: ignore[type-var]
    # A new paper by the followed name (another spelling) shows up with its reason.
    loaded_store.papers.upsert_papers(
        [
            rec(
                "2606.90011",
                title="A new timed game",
                authors=["M. Gautrin"],
                announced=date(2026, 6, 30),
            )
        ]
    )
    assert reasons(reader.get("/following").text)["2606.90011"] == "by Maëlle Gautrin"
    # Unfollow.
    assert (
        post_form(
            reader, "/following", "/following/unfollow", kind="author", value="maelle gautrin"
        )
        == 303
    )
    assert "2606.28773" not in reasons(reader.get("/following").text)


def test_signed_out_and_bad_input(anon: TestClient, reader: TestClient) -> None:
    assert reader.get("/following").status_code == 200
    assert post_form(reader, "/following", "/following/follow", kind="planet", value="Mars") == 422
    assert (
        post_form(
            reader, "/following", "/following/follow", kind="category", value="not a category!"
        )
        == 422
    )
    assert (
        post_form(reader, "/following", "/following/follow", kind="search", value="2606.28773")
        == 422
    )
    assert (
        reader.post("/following/follow", data={"kind": "author", "value": "x"}).status_code == 403
    )


def test_signed_out_reader_is_sent_to_sign_in(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    with TestClient(create_app(settings, loaded_store, search_service)) as c:
        c.follow_redirects = False
        assert c.get("/following").status_code == 303
        # Signed out, the author page links to sign in: no form, no token, no cookie.
        page = c.get("/author/Maëlle Gautrin")
        assert "Sign in to follow Maëlle Gautrin" in page.text and "set-cookie" not in page.headers
        assert 'action="/following/follow"' not in page.text
        token = csrf_of(c.get("/subscribe").text)  # a session with a token, still no account
        answer = c.post(
            "/following/follow",
            data={
                "csrf_token": token,
                "kind": "author",
                "value": "Maëlle Gautrin",
                "next": "/author/Ma%C3%ABlle%20Gautrin",
            },
        )
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?")
        assert c.get("/api/following").status_code == 401


def test_api_limit_export_import_and_feed(reader: TestClient) -> None:
    token = csrf_of(reader.get("/following").text)
    head = {"X-CSRF-Token": token}
    put = reader.put(
        "/api/following", json={"kind": "author", "value": "Maelle Gautrin"}, headers=head
    )
    assert put.status_code == 200 and put.json() == {"changed": True, "follows": 1}
    again = reader.put(
        "/api/following", json={"kind": "author", "value": "MAËLLE GAUTRIN"}, headers=head
    )
    assert again.json() == {"changed": False, "follows": 1}
    for value in ("cs.IT", "cs.LG", "cs.GT"):
        assert (
            reader.put(
                "/api/following", json={"kind": "category", "value": value}, headers=head
            ).status_code
            == 200
        )
    full = reader.put("/api/following", json={"kind": "category", "value": "cs.CL"}, headers=head)
    assert full.status_code == 409 and "at most 4" in full.json()["error"]["detail"]
    body = reader.get("/api/following").json()
    FollowingOut.model_validate(EXAMPLE)  # the documented example is a valid answer
    assert set(body) == set(EXAMPLE) and set(body["papers"][0]) == set(EXAMPLE["papers"][0])
    assert [f["value"] for f in body["follows"]] == ["Maelle Gautrin", "cs.IT", "cs.LG", "cs.GT"]
    assert body["limit"] == 4 and body["until"] == "2026-06-30"
    by_id = {p["id"]: p["reasons"] for p in body["papers"]}
    assert by_id["2606.28773"] == ["by Maelle Gautrin", "in cs.GT"]
    gone = reader.delete(
        "/api/following", params={"kind": "category", "value": "cs.LG"}, headers=head
    )
    assert gone.json() == {"changed": True, "follows": 3}
    exported = reader.get("/following/export.json")
    assert exported.headers["content-disposition"].startswith("attachment")
    data = json.loads(exported.content)
    assert [f["kind"] for f in data["follows"]] == ["author", "category", "category"]
    opml = reader.get("/following/export.opml")
    assert opml.headers["content-type"].startswith("text/x-opml")
    outlines = etree.fromstring(opml.content).findall(".//outline")
    urls = [o.get("xmlUrl") for o in outlines]
    assert urls == [
        "http://testserver/feeds/author/Maelle%20Gautrin.atom",
        "http://testserver/feeds/category/cs.IT.atom",
        "http://testserver/feeds/category/cs.GT.atom",
    ]
    for url in urls:  # every listed feed answers
        assert reader.get(url.removeprefix("http://testserver")).status_code == 200
    # Import into an emptied account: all back, invalid entries reported, not fatal.
    for f in data["follows"]:
        reader.delete(
            "/api/following", params={"kind": f["kind"], "value": f["value"]}, headers=head
        )
    data["follows"].append({"kind": "category", "value": "<script>"})
    imported = reader.post(
        "/following/import",
        data={"csrf_token": token},
        files={"file": ("f.json", json.dumps(data).encode(), "application/json")},
    )
    assert imported.status_code == 303
    page = reader.get(imported.headers["location"]).text
    assert "Imported 3 new follows; 0 already followed; 1 entry not valid" in page
    bad = reader.post(
        "/following/import",
        data={"csrf_token": token},
        files={"file": ("f.json", b"{not json", "application/json")},
    )
    assert bad.status_code == 422
    # The private feed: created once, token-authenticated, reasons in the entries.
    created = reader.post("/following/feed", data={"csrf_token": token})
    rss = re.search(r'value="(http://testserver/feeds/following/[^"]+\.rss)"', created.text)
    assert rss is not None
    feed = feedparser.parse(reader.get(rss.group(1).removeprefix("http://testserver")).content)
    assert not feed.bozo and feed.entries
    assert any("by Maelle Gautrin" in e.summary for e in feed.entries)
    assert reader.get("/feeds/following/not-a-token.rss").status_code == 404
