"""Comments through the app: readers signed in by the real emailed link (aiosmtpd),
the JS-free form flows, permissions, admin hiding, the JSON API, and XSS payloads posted
as comments and as display names never turning into executable markup."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from paperboy.community.comments import store_comment
from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.models import users
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.web.test_votes import DAY, PAPER
from tests.web.test_votes import anon as anon
from tests.web.test_votes import app_settings as app_settings
from tests.web.test_votes import mailbox as mailbox
from tests.web.test_votes import reader as reader

PAGE = f"/paper/{PAPER}"
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "background"}
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "math", "svg", "img", "base"}

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '"><script>alert(1)</script>',
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "&#106;avascript:alert(1)",
    "<body onload=alert(1)>",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '[a](https://ok.example "title\\" onmouseover=\\"alert(1))',
    "[x](java\tscript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    'https://ok.example/"onmouseover=alert(1)//',
    "' onfocus=alert(1) autofocus '",
]


def assert_no_executable_markup(html: str) -> None:
    """Parse the page: scripts only from /static, no on* attributes, no dangerous URL
    schemes, and nothing but text formatting inside the comments section."""
    doc = lxml.html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "script" and el.get("type") == "application/ld+json":
            json.loads(el.text or "")  # a data block (the paper's JSON-LD), never run
        elif el.tag == "script":
            assert (el.get("src") or "").startswith("/static/") and not (el.text or "").strip()
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name, value)
            if name.lower() in URL_ATTRS:
                cleaned = "".join(value.split()).lower()
                assert not cleaned.startswith(BAD_SCHEMES), (el.tag, name, value)
    section = doc.get_element_by_id("comments")
    for el in section.iter():
        assert el.tag not in FORBIDDEN_TAGS, lxml.html.tostring(el)
        if el.tag == "a":
            href = el.get("href", "")
            assert href.startswith(("/", "#", "https://", "http://", "mailto:")), href


def post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    token = csrf_of(client.get(PAGE).text)
    answer = client.post(path, data={**data, "csrf_token": token})
    return answer.status_code, answer.headers.get("location", "")


def comment(client: TestClient, body: str, parent: int | None = None) -> int:
    data = {"body": body} | ({"parent_id": str(parent)} if parent else {})
    status, location = post(client, f"{PAGE}/comments", data)
    assert status == 303 and location.startswith(f"{PAGE}#comment-"), (status, location)
    return int(location.rsplit("-", 1)[1])


@pytest.fixture
def other_client(
    anon: TestClient,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(email: str, role: str = "reader") -> TestClient:
        loaded_store.accounts.create_user(email, role=role)
        client = TestClient(anon.app, follow_redirects=False)
        clients.append(client)
        sign_in(client, mailbox[0], email)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_as_comments_and_names_stay_inert(
    reader: TestClient,
    payload: str,
) -> None:
    status, _ = post(reader, "/profile", {"display_name": payload[:80], "affiliation": payload})
    assert status == 303
    top = comment(reader, payload)
    comment(reader, "re: " + payload, parent=top)
    page = reader.get(PAGE)
    assert page.status_code == 200
    assert_no_executable_markup(page.text)
    doc = lxml.html.document_fromstring(page.text)
    names = doc.find_class("comment-author")
    assert len(names) == 2 and names[0].text_content() == " ".join(payload[:80].split())
    api = reader.get(f"/api/papers/{PAPER}/comments").json()
    assert api["comments"][0]["markdown"] == payload.strip()
    assert_no_executable_markup(
        f'<html><body><section id="comments">{api["comments"][0]["html"]}</section></body></html>'
    )


def test_comment_reply_edit_delete_flow(
    reader: TestClient,
    other_client: Callable[..., TestClient],
) -> None:
    anon_page = TestClient(reader.app).get(PAGE).text
    assert "Sign in to comment" in anon_page and "No comments yet." in anon_page
    top = comment(reader, "Nice **result**, see https://ok.example/x")
    bob = other_client("bob@example.org")
    reply = comment(bob, "I *disagree*", parent=top)
    deeper = comment(reader, "reply to a reply", parent=reply)
    page = reader.get(PAGE).text
    assert "<strong>result</strong>" in page and "<em>disagree</em>" in page
    assert 'href="https://ok.example/x" rel="nofollow ugc noopener"' in page
    api = reader.get(f"/api/papers/{PAPER}/comments").json()
    assert api["count"] == 3 and len(api["comments"]) == 1
    assert [r["id"] for r in api["comments"][0]["replies"]] == [reply, deeper]

    assert post(bob, f"/comments/{top}/edit", {"body": "mine now"})[0] == 403
    assert post(bob, f"/comments/{top}/delete", {})[0] == 403
    assert post(bob, f"/comments/{top}/hide", {})[0] == 403
    status, location = post(reader, f"/comments/{top}/edit", {"body": "Edited **text**"})
    assert (status, location) == (303, f"{PAGE}#comment-{top}")
    api = reader.get(f"/api/papers/{PAPER}/comments").json()
    first = api["comments"][0]
    assert first["markdown"] == "Edited **text**" and first["edited_at"] is not None
    assert first["html"] == "<p>Edited <strong>text</strong></p>\n"

    assert post(reader, f"/comments/{top}/delete", {}) == (303, f"{PAGE}#comments")
    page = reader.get(PAGE).text
    assert "[deleted]" in page and "Edited" not in page and "I <em>disagree</em>" in page
    first = reader.get(f"/api/papers/{PAPER}/comments").json()["comments"][0]
    assert first["deleted"] and first["html"] is None and first["markdown"] is None
    assert first["author"] is None and len(first["replies"]) == 2
    assert post(bob, f"/comments/{reply}/delete", {})[0] == 303
    assert post(reader, f"/comments/{top}/edit", {"body": "back"})[0] == 404

    assert post(reader, f"{PAGE}/comments", {"body": "   "})[0] == 422
    assert post(reader, f"{PAGE}/comments", {"body": "x" * 5001})[0] == 422
    assert post(reader, f"{PAGE}/comments", {"body": "x", "parent_id": "999999"})[0] == 404


def test_admin_hides_and_unhides(
    reader: TestClient,
    other_client: Callable[..., TestClient],
) -> None:
    cid = comment(reader, "rude words")
    admin = other_client("admin@example.org", "admin")
    assert post(admin, f"/comments/{cid}/hide", {}) == (303, f"{PAGE}#comment-{cid}")
    assert "[hidden by a moderator]" in reader.get(PAGE).text
    assert "rude words" not in reader.get(PAGE).text
    assert "rude words" not in TestClient(reader.app).get(PAGE).text
    seen = admin.get(PAGE).text
    assert "rude words" in seen and "comment-hidden" in seen and "Unhide" in seen
    api = reader.get(f"/api/papers/{PAPER}/comments").json()
    assert api["count"] == 0 and api["comments"][0]["hidden"] is True
    assert api["comments"][0]["html"] is None
    assert post(admin, f"/comments/{cid}/hide", {"hidden": "false"})[0] == 303
    assert "rude words" in reader.get(PAGE).text


def test_signed_out_posts_go_to_sign_in_and_suspended_users_cannot_comment(
    reader: TestClient,
    loaded_store: Store,
) -> None:
    with TestClient(reader.app, follow_redirects=False) as guest:
        token = csrf_of(guest.get("/signin").text)
        answer = guest.post(f"{PAGE}/comments", data={"body": "hi", "csrf_token": token})
        status, location = answer.status_code, answer.headers["location"]
    assert status == 303 and location.startswith("/signin?next=")
    user = loaded_store.accounts.get_user_by_email("reader@example.org")
    assert user is not None
    token = csrf_of(reader.get(PAGE).text)
    with loaded_store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(suspended=True))
    answer = reader.post(f"{PAGE}/comments", data={"body": "hi", "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None and loaded_store.comments.paper_comments(paper.id) == []


def test_api_comments_shape_and_unknown_paper(
    reader: TestClient,
) -> None:
    empty = reader.get(f"/api/papers/{PAPER}/comments").json()
    assert empty == {"id": PAPER, "count": 0, "comments": []}
    cid = comment(reader, "hello `world`")
    got = reader.get(f"/api/papers/{PAPER}/comments").json()["comments"][0]
    assert set(got) == {
        "id",
        "author",
        "created_at",
        "edited_at",
        "deleted",
        "hidden",
        "html",
        "markdown",
        "replies",
    }
    assert got["id"] == cid and got["html"] == "<p>hello <code>world</code></p>\n"
    missing = reader.get("/api/papers/2401.99999/comments")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    spec = reader.get("/api/openapi.json").json()
    assert "/api/papers/{arxiv_id}/comments" in spec["paths"]


def test_author_of_a_hidden_comment_sees_the_placeholder_and_can_delete(
    reader: TestClient,
    other_client: Callable[..., TestClient],
) -> None:
    cid = comment(reader, "secret words")
    admin = other_client("admin@example.org", "admin")
    assert post(admin, f"/comments/{cid}/hide", {})[0] == 303
    page = reader.get(PAGE).text
    assert "secret words" not in page and "[hidden by a moderator]" in page
    assert "None</textarea>" not in page
    assert post(reader, f"/comments/{cid}/delete", {})[0] == 303
    assert reader.get(f"/api/papers/{PAPER}/comments").json()["comments"] == []


def test_listings_show_the_visible_comment_count(
    reader: TestClient,
) -> None:
    assert f'href="/paper/{PAPER}#comments"' not in reader.get(f"/day/{DAY}").text
    first = comment(reader, "one")
    comment(reader, "two", parent=first)
    feed = reader.get(f"/day/{DAY}").text
    assert f'href="/paper/{PAPER}#comments" title="comments">2 comments</a>' in feed


@pytest.fixture
def strict(
    settings: Settings,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
    search_service: SearchService,
) -> Iterator[TestClient]:
    """A reader on an app allowing 2 comments a minute, 2 threads a page."""
    limited = make_settings(
        settings.data_dir,
        mailbox[1],
        model_dir=settings.model_dir,
        comment_limit_per_minute=2,
        comment_threads_per_page=2,
    )
    app = create_app(limited, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, mailbox[0], "reader@example.org")
        yield client


def test_paper_page_with_100_long_comments_answers_in_100_ms(
    anon: TestClient, loaded_store: Store
) -> None:
    """Fix 3: 100 comments of the longest allowed size (a flood, inserted through the
    store as the route is rate limited) used to make the page take ~2 s; stored HTML
    and one page of threads keep it fast."""
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None
    line = "Some **bold** and [a link](https://ok.example/x), `code`, > quote\n\n- item\n\n"
    body = (line * 100)[:5000]
    previous = None
    for i in range(100):
        user = loaded_store.accounts.create_user(f"flood{i}@example.org")
        parent = previous if i % 4 == 3 else None
        previous = store_comment(loaded_store, paper.id, user.id, body, parent_id=parent).id
    for _ in range(3):
        assert anon.get(PAGE).status_code == 200
    times = []
    for _ in range(9):
        start = time.perf_counter()
        assert anon.get(PAGE).status_code == 200
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.100, times


def test_over_the_limit_429_with_retry_after_and_the_text_kept(
    strict: TestClient, loaded_store: Store
) -> None:
    comment(strict, "one")
    comment(strict, "two")
    token = csrf_of(strict.get(PAGE).text)
    answer = strict.post(f"{PAGE}/comments", data={"body": "three <b>", "csrf_token": token})
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["retry-after"]) <= 60
    doc = lxml.html.document_fromstring(answer.text)
    assert "at most 2 comments a minute" in doc.find_class("form-error")[0].text_content()
    form = doc.find_class("comment-form")[0]
    assert form.get("action") == f"{PAGE}/comments"
    assert form.find(".//textarea").text == "three <b>"  # escaped in the page, kept
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None
    assert [c.body for c in loaded_store.comments.paper_comments(paper.id)] == ["one", "two"]
    api = strict.post(f"{PAGE}/comments", data={"body": "x", "csrf_token": token})
    assert api.status_code == 429  # refused again, whatever the body


def test_long_threads_are_paged_and_posts_land_on_their_page(
    strict: TestClient, mailbox: tuple[Mailbox, int]
) -> None:
    ids = [comment(strict, "first"), comment(strict, "second")]
    bob = TestClient(strict.app, follow_redirects=False)
    sign_in(bob, mailbox[0], "bob@example.org")
    status, location = post(bob, f"{PAGE}/comments", {"body": "third"})
    assert status == 303 and location.startswith(f"{PAGE}?comments_page=2#comment-")
    page1 = strict.get(PAGE).text
    assert "first" in page1 and "second" in page1 and "third" not in page1
    assert f'href="{PAGE}?comments_page=2#comments"' in page1
    page2 = strict.get(f"{PAGE}?comments_page=2").text
    assert "third" in page2 and "first" not in page2 and "Comments page 2 of 2" in page2
    assert f'href="{PAGE}?comments_page=1#comments"' in page2
    # A reply stays with its thread on page 1.
    status, location = post(bob, f"{PAGE}/comments", {"body": "re", "parent_id": str(ids[0])})
    assert status == 303 and location.startswith(f"{PAGE}#comment-")
