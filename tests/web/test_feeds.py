"""RSS 2.0 and Atom feeds: every feed type parsed by feedparser (as feed readers do) and
checked element by element against the W3C Feed Validation Service's rules, over the
fixture papers (announced 2026-06-26..30) with votes added at known offsets from now."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.rank.foryou import recommend_for_reader
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.feeds.xml import FeedEntry, FeedMeta, atom_document, rss_document, xml_text
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # the fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.store.test_papers import rec

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
BASE = "https://papers.example.org"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SCRIPT_PAPER = "2606.99901"  # title "<script>alert('title')</script> Attention <b>is</b> ..."
FOURIER_PAPER = "2606.28122"  # "Higher-Order Fourier Neural Operator", by Alex Colagrande
NASTY_QUERY = '"neural operator" & <b>x</b> ünïcode author:Colagrande'


# -- what the W3C validator checks, written out ------------------------------------------


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _rfc822(text: str | None) -> datetime:
    assert text and re.match(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ", text)
    parsed = parsedate_to_datetime(text)
    assert parsed.tzinfo is not None, text
    return parsed


def _common(body: bytes) -> etree._Element:
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert not NOT_XML.search(body.decode("utf-8"))
    return etree.fromstring(body)


def assert_valid_rss(body: bytes) -> etree._Element:
    rss = _common(body)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channels = rss.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for required in ("title", "link", "description"):
        assert len(channel.findall(required)) == 1, required
        assert (channel.findtext(required) or "").strip(), required
    assert _absolute(channel.findtext("link"))
    selfs = [a for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"]
    assert len(selfs) == 1 and _absolute(selfs[0].get("href"))
    assert selfs[0].get("type") == "application/rss+xml"
    assert re.match(r"^[a-z]{2}(-[A-Za-z]{2})?$", channel.findtext("language") or "")
    built = _rfc822(channel.findtext("lastBuildDate"))
    guids = []
    for item in channel.findall("item"):
        assert (item.findtext("title") or "").strip()
        assert _absolute(item.findtext("link"))
        guid = item.find("guid")
        assert guid is not None and guid.text
        if guid.get("isPermaLink", "true") == "true":
            assert _absolute(guid.text)
        guids.append(guid.text)
        assert _rfc822(item.findtext("pubDate")) <= built
        # RSS <author> must be an e-mail address; names go in dc:creator.
        assert item.find("author") is None
        assert len(item.findall(f"{DC}creator")) <= 1
        assert all((c.text or "").strip() for c in item.findall("category"))
    assert len(guids) == len(set(guids)), "duplicate guids"
    return channel


def assert_valid_atom(body: bytes) -> etree._Element:
    feed = _common(body)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{required}")) == 1, required
    assert _absolute(feed.findtext(f"{ATOM}id")) or (feed.findtext(f"{ATOM}id") or "").startswith(
        ("urn:uuid:", "tag:")
    )
    assert RFC3339.match(feed.findtext(f"{ATOM}updated") or "")
    links = feed.findall(f"{ATOM}link")
    selfs = [link for link in links if link.get("rel") == "self"]
    assert len(selfs) == 1 and _absolute(selfs[0].get("href"))
    assert selfs[0].get("type") == "application/atom+xml"
    assert any(link.get("rel") == "alternate" and _absolute(link.get("href")) for link in links)
    feed_author = feed.find(f"{ATOM}author")
    assert feed_author is not None and (feed_author.findtext(f"{ATOM}name") or "").strip()
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        ids.append(entry.findtext(f"{ATOM}id"))
        assert _absolute(ids[-1])
        assert entry.find(f"{ATOM}title").get("type") == "text"  # type: ignore[union-attr]
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
        published = entry.findtext(f"{ATOM}published")
        assert published is None or RFC3339.match(published)
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert alternates and all(_absolute(link.get("href")) for link in alternates)
        for author in entry.findall(f"{ATOM}author"):
            assert (author.findtext(f"{ATOM}name") or "").strip()
        assert all(c.get("term") for c in entry.findall(f"{ATOM}category"))
        summary = entry.find(f"{ATOM}summary")
        assert summary is None or summary.get("type") == "text"
    assert len(ids) == len(set(ids)), "duplicate entry ids"
    return feed


def parse(body: bytes) -> Any:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


# -- the pure builder ------------------------------------------------------------------------


META = FeedMeta(
    id=f"{BASE}/feeds/test",
    title='Tests & <b>"feeds"</b>',
    description="A feed <for> tests",
    page_url=f"{BASE}/day?cat=cs.LG&sort=votes",
    rss_url=f"{BASE}/feeds/test.rss?a=1&b=2",
    atom_url=f"{BASE}/feeds/test.atom?a=1&b=2",
    updated=datetime(2026, 6, 1, tzinfo=UTC),
)
NASTY_TITLE = 'Graphs & <b>bold</b> "quotes" \x00\x01\x08\x0b\x0c\x1b\ufffe ünïcode 𝔸 a<b'
CLEAN_TITLE = 'Graphs & <b>bold</b> "quotes" ünïcode 𝔸 a<b'


def nasty_entry() -> FeedEntry:
    return FeedEntry(
        id=f"{BASE}/paper/2606.00001",
        title=NASTY_TITLE,
        link=f"{BASE}/paper/2606.00001",
        updated=datetime(2026, 6, 27, 12, 30),  # naive: UTC
        published=datetime(2026, 6, 26),
        summary="x < y && <script>alert(1)</script>\x07\n\nSecond paragraph.",
        authors=["Ada <i>Lovelace</i>", "Bob & Co", "Ünal \x1bÖz"],
        categories=["cs.LG", "stat.ML"],
    )


def test_xml_text_drops_only_what_xml_forbids() -> None:
    assert xml_text("a\x00b\x1bc\x7fd\ufffee\tf\ng\rh😀") == "abc\x7fde\tf\ng\rh😀"


def test_builder_keeps_unsafe_titles_as_text_in_both_formats() -> None:
    rss_body = rss_document(META, [nasty_entry()])
    atom_body = atom_document(META, [nasty_entry()])
    assert_valid_rss(rss_body)
    assert_valid_atom(atom_body)
    rss, atom = parse(rss_body), parse(atom_body)
    # Atom says type="text": the reader gets the exact text back.
    assert atom.feed.title == 'Tests & <b>"feeds"</b>'
    entry = atom.entries[0]
    assert entry.title == CLEAN_TITLE and entry.title_detail.type == "text/plain"
    assert entry.summary == "x < y && <script>alert(1)</script>\n\nSecond paragraph."
    assert [a.name for a in entry.authors] == ["Ada <i>Lovelace</i>", "Bob & Co", "Ünal Öz"]
    # RSS readers treat titles and descriptions as HTML, so the text arrives HTML-escaped:
    # rendered, it shows the tags as text instead of running them.
    item = rss.entries[0]
    assert item.title == 'Graphs &amp; &lt;b&gt;bold&lt;/b&gt; "quotes" ünïcode 𝔸 a&lt;b'
    assert "<script>" not in item.summary and "&lt;script&gt;" in item.summary
    assert item.author == "Ada <i>Lovelace</i>, Bob & Co and Ünal Öz"
    for parsed in (rss, atom):
        e = parsed.entries[0]
        assert e.link == e.id == f"{BASE}/paper/2606.00001"
        assert [t.term for t in e.tags] == ["cs.LG", "stat.ML"]
        assert e.published_parsed[:3] == (2026, 6, 26)
        assert parsed.feed.link == f"{BASE}/day?cat=cs.LG&sort=votes"
    assert atom.entries[0].updated_parsed[:5] == (2026, 6, 27, 12, 30)
    assert rss.feed.updated_parsed[:5] == (2026, 6, 27, 12, 30)  # newest entry


def test_empty_feeds_are_valid() -> None:
    for body in (rss_document(META, []), atom_document(META, [])):
        parsed = parse(body)
        assert parsed.entries == [] and parsed.feed.updated_parsed[:3] == (2026, 6, 1)
    assert_valid_rss(rss_document(META, []))
    assert_valid_atom(atom_document(META, []))


# -- the routes ------------------------------------------------------------------------------


@pytest.fixture
def feed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"base_url": f"{BASE}/"})


@pytest.fixture
def feeds(
    feed_settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[TestClient]:
    with TestClient(create_app(feed_settings, loaded_store, search_service)) as c:
        yield c


def fetch_both(client: TestClient, path: str, query: dict[str, str] | None = None) -> list[Any]:
    """The feed at ``path`` in both formats, checked and parsed: [rss, atom]."""
    qs = f"?{urlencode(query)}" if query else ""
    parsed = []
    for ext, media, check in (
        ("rss", "application/rss+xml", assert_valid_rss),
        ("atom", "application/atom+xml", assert_valid_atom),
    ):
        answer = client.get(f"{path}.{ext}{qs}")
        assert answer.status_code == 200, answer.text[:500]
        assert answer.headers["content-type"] == f"{media}; charset=utf-8"
        check(answer.content)
        feed = parse(answer.content)
        assert feed.version == ("rss20" if ext == "rss" else "atom10")
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == [f"{BASE}{path}.{ext}{qs}"]
        for entry in feed.entries:
            assert entry.link.startswith(f"{BASE}/paper/")
        parsed.append(feed)
    rss, atom = parsed
    assert [e.link for e in rss.entries] == [e.link for e in atom.entries]
    return parsed


def arxiv_ids(feed: Any) -> list[str]:
    return [e.link.removeprefix(f"{BASE}/paper/") for e in feed.entries]


def test_daily_and_category_feeds(feeds: TestClient, loaded_store: Store) -> None:
    rss, atom = fetch_both(feeds, "/feeds/daily")
    newest = loaded_store.papers.feed(date(2026, 6, 30), date(2026, 6, 30), limit=100)
    assert arxiv_ids(atom) == [p.arxiv_id for p in newest.papers] and newest.total > 5
    assert atom.feed.title == "paperboy: newest papers"
    assert all(e.published_parsed[:3] == (2026, 6, 30) for e in atom.entries)
    script = next(e for e in atom.entries if e.link.endswith(SCRIPT_PAPER))
    assert script.title.startswith("<script>alert('title')</script> Attention <b>is</b>")
    assert [a.name for a in script.authors] == ["Ada <i>Lovelace</i>", "Bob & Co"]
    assert {"cs.LG"} <= {t.term for t in script.tags}
    assert rss.entries[0].author and rss.entries[0].published_parsed[:3] == (2026, 6, 30)

    rss, atom = fetch_both(feeds, "/feeds/daily", {"category": "cs.LG"})
    assert atom.feed.title == "paperboy: newest papers in cs.LG"
    assert arxiv_ids(atom) and all("cs.LG" in {t.term for t in e.tags} for e in atom.entries)
    assert rss.feed.link == f"{BASE}/day?cat=cs.LG"

    rss, atom = fetch_both(feeds, "/feeds/category/cs.LG")
    in_category = loaded_store.papers.feed(date(2000, 1, 1), date(2026, 6, 30), category="cs.LG")
    assert arxiv_ids(rss) == [p.arxiv_id for p in in_category.papers]
    assert len({e.published_parsed[:3] for e in rss.entries}) > 1  # more than one day

    # Ingest drops control characters but keeps noncharacters such as U+FFFE, which
    # XML forbids too: the feed drops them instead of failing for every subscriber.
    loaded_store.papers.upsert_papers(
        [
            rec(
                "2606.90001",
                title="Noncharacters \ufffe\uffff & <b>tags</b>",
                abstract="a \ufffe b",
                categories=["physics.hist-ph"],
                announced=date(2026, 6, 30),
            )
        ]
    )
    for feed in fetch_both(feeds, "/feeds/category/physics.hist-ph"):
        assert arxiv_ids(feed) == ["2606.90001"]
    assert feed.entries[0].title == "Noncharacters & <b>tags</b>"
    assert feed.entries[0].summary == "a  b"

    for bad in ("/feeds/category/cs.NOPE.rss", "/feeds/category/%3Cb%3E.atom"):
        assert feeds.get(bad).status_code == 404
    assert feeds.get("/feeds/daily.rss?category=%3Cb%3E").status_code == 422
    assert feeds.get("/feeds/daily.json").status_code == 404


def test_feeds_of_an_empty_site(empty_client: TestClient) -> None:
    for path in ("/feeds/daily", "/feeds/trending"):
        for ext, check in (("rss", assert_valid_rss), ("atom", assert_valid_atom)):
            answer = empty_client.get(f"{path}.{ext}")
            assert answer.status_code == 200
            check(answer.content)
            assert parse(answer.content).entries == []
    assert empty_client.get("/feeds/category/cs.LG.rss").status_code == 404


def test_trending_feed_for_each_window(feeds: TestClient, loaded_store: Store) -> None:
    users = [loaded_store.accounts.create_user(f"voter{i}@example.org") for i in range(3)]
    now = utcnow()

    def vote(arxiv_id: str, n: int, ago: timedelta) -> None:
        paper = loaded_store.papers.get_paper(arxiv_id)
        assert paper is not None
        for user in users[:n]:
            loaded_store.votes.add_vote(user.id, paper.id, now - ago)

    vote("2606.28374", 3, timedelta(hours=2))
    vote("2606.26139", 1, timedelta(hours=3))
    vote("2606.27442", 2, timedelta(days=5))  # outside the 1-day window
    expected = {
        1: ["2606.28374", "2606.26139"],
        7: ["2606.28374", "2606.27442", "2606.26139"],
        30: ["2606.28374", "2606.27442", "2606.26139"],
    }
    for window, ids in expected.items():
        rss, atom = fetch_both(feeds, "/feeds/trending", {"window": str(window)})
        assert arxiv_ids(rss) == arxiv_ids(atom) == ids
        days = "today" if window == 1 else f"the last {window} days"
        assert atom.feed.title == rss.feed.title == f"paperboy: trending {days}"
    assert feeds.get("/feeds/trending.rss?window=2").status_code == 422


def test_search_feed_with_special_characters(feeds: TestClient) -> None:
    rss, atom = fetch_both(feeds, "/feeds/search", {"q": NASTY_QUERY})
    assert arxiv_ids(rss) == arxiv_ids(atom) == [FOURIER_PAPER]
    assert atom.feed.title == f"paperboy: search “{NASTY_QUERY}”"
    assert atom.feed.link == f"{BASE}/search?{urlencode({'q': NASTY_QUERY})}"
    # the same query string as the search page: filters and modes carry over
    rss, _ = fetch_both(
        feeds, "/feeds/search", {"q": "codes", "cat": "cs.IT", "sort": "date", "mode": "lexical"}
    )
    assert arxiv_ids(rss) and all("cs.IT" in {t.term for t in e.tags} for e in rss.entries)
    published = [e.published_parsed for e in rss.entries]
    assert published == sorted(published, reverse=True)
    # a query nothing matches is an empty, valid feed
    rss, atom = fetch_both(feeds, "/feeds/search", {"q": "zzqx-nothing-matches author:nobody"})
    assert rss.entries == atom.entries == []
    # no query, a bad filter, a bad mode: a clear 422, never a 500
    for query in ({"q": ""}, {"q": "  \x01 "}, {"q": "year:abc"}, {"q": "x", "mode": "magic"}):
        answer = feeds.get(f"/feeds/search.rss?{urlencode(query)}")
        assert answer.status_code == 422, query
    assert "needs a query" in feeds.get("/feeds/search.atom").text


def test_conditional_get_and_caching(feeds: TestClient) -> None:
    first = feeds.get("/feeds/daily.atom")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    assert _rfc822(first.headers["last-modified"]).date() == date(2026, 6, 30)
    again = feeds.get("/feeds/daily.atom", headers={"If-None-Match": f'W/"x", {etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = feeds.get("/feeds/daily.rss", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    head = feeds.head("/feeds/daily.atom")  # some readers check with HEAD first
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""


def test_pages_advertise_their_feeds(feeds: TestClient) -> None:
    checks = {
        "/day/2026-06-29?cat=cs.LG": [
            "/feeds/daily.rss?category=cs.LG",
            "/feeds/daily.atom?category=cs.LG",
            "/feeds/category/cs.LG.rss",
        ],
        "/trending?window=30": ["/feeds/trending.rss?window=30", "/feeds/trending.atom?window=30"],
        f"/search?{urlencode({'q': NASTY_QUERY, 'sort': 'date'})}": [
            f"/feeds/search.rss?{urlencode({'q': NASTY_QUERY, 'sort': 'date'})}"
        ],
    }
    for page, hrefs in checks.items():
        html = etree.HTML(feeds.get(page).text)
        head = {
            link.get("href")
            for link in html.iterfind(".//head/link[@rel='alternate']")
            if link.get("type") in ("application/rss+xml", "application/atom+xml")
        }
        visible = {a.get("href") for a in html.iterfind(".//*[@class='feed-links']/a")}
        for href in hrefs:
            assert href in head and href in visible, (page, href)
            assert feeds.get(href).status_code == 200
    assert "alternate" not in feeds.get("/search").text  # no query: no feed to offer


# -- the private "for you" feed ------------------------------------------------------------


@pytest.fixture
def reader(
    settings: Settings,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
    search_service: SearchService,
) -> Iterator[TestClient]:
    app_settings = make_settings(
        settings.data_dir, mailbox[1], model_dir=settings.model_dir, base_url=f"{BASE}/"
    )
    app = create_app(app_settings, loaded_store, search_service)
    # https, so the session cookie (Secure under an https base_url) is sent back
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        sign_in(c, mailbox[0], "reader@example.org")
        yield c


def test_private_for_you_feed_lives_until_revoked(
    reader: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    profile = reader.get("/profile")
    assert "Private feed" in profile.text and "You have no private feed address." in profile.text
    created = reader.post(
        "/profile/feeds", data={"name": "  My   reader ", "csrf_token": csrf_of(profile.text)}
    )
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    urls = re.findall(rf'value="({re.escape(BASE)}/feeds/for-you/[^"]+)"', created.text)
    assert len(urls) == 2 and urls[0].endswith(".rss") and urls[1].endswith(".atom")
    token = urls[0].removeprefix(f"{BASE}/feeds/for-you/").removesuffix(".rss")
    assert len(token) >= 40 and urls[1].endswith(f"/{token}.atom")

    user = loaded_store.accounts.get_user_by_email("reader@example.org")
    assert user is not None
    for arxiv_id in ("2606.28122", "2606.28926"):  # neural operators, in-context learning
        paper = loaded_store.papers.get_paper(arxiv_id)
        assert paper is not None
        loaded_store.votes.add_vote(user.id, paper.id, utcnow())
    expected = recommend_for_reader(
        loaded_store,
        search_service,
        user.id,
        limit=reader.app.state.settings.foryou_limit,  # type: ignore[attr-defined]
        window_days=reader.app.state.settings.foryou_window_days,  # type: ignore[attr-defined]
    )
    assert expected

    # A feed reader has no session: the address alone opens the feed.
    with TestClient(reader.app) as feed_reader:  # type: ignore[arg-type]
        rss, atom = fetch_both(feed_reader, f"/feeds/for-you/{token}")
        answer = feed_reader.get(f"/feeds/for-you/{token}.atom")
    assert answer.headers["cache-control"].startswith("private")
    assert answer.headers["x-robots-tag"] == "noindex"
    assert arxiv_ids(atom) == arxiv_ids(rss) == [r.paper.arxiv_id for r in expected]
    first = atom.entries[0]
    assert first.summary.startswith(expected[0].reason + "\n\n")
    assert first.summary.endswith((expected[0].paper.abstract or "").strip())
    assert atom.feed.title == "paperboy: for you, reader"
    assert atom.feed.id.startswith("urn:uuid:") and token not in atom.feed.id

    profile = reader.get("/profile")
    assert "My reader" in profile.text and "never" not in profile.text  # last read shown
    revoke_path = re.search(r'action="(/profile/feeds/(\d+)/revoke)"', profile.text)
    assert revoke_path
    csrf = csrf_of(profile.text)
    assert reader.post("/profile/feeds/999999/revoke", data={"csrf_token": csrf}).status_code == 404
    done = reader.post(revoke_path.group(1), data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"].startswith("/profile")
    for ext in ("rss", "atom"):
        assert reader.get(f"/feeds/for-you/{token}.{ext}").status_code == 404
    assert "You have no private feed address." in reader.get("/profile").text
    # revoking again, or an unknown or absurd address: the same 404
    assert reader.post(revoke_path.group(1), data={"csrf_token": csrf}).status_code == 404
    assert reader.get(f"/feeds/for-you/{token[:-1]}x.rss").status_code == 404
    assert reader.get(f"/feeds/for-you/{'a' * 500}.rss").status_code == 404


def test_private_feed_forms_need_a_session(client: TestClient) -> None:
    csrf = csrf_of(client.get("/signin").text)  # a session with a CSRF token, nobody signed in
    for path in ("/profile/feeds", "/profile/feeds/1/revoke"):
        answer = client.post(path, data={"csrf_token": csrf}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
