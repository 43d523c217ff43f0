"""Signing in by emailed link, end to end through the app and a real SMTP server."""

from __future__ import annotations

import logging
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.store import Store
from paperboy.store.models import login_tokens
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings

SENT = "If that address can sign in, a link is on its way"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def ask_for_link(client: TestClient, email: str, next_path: str = "") -> str:
    form = client.get("/signin")
    assert form.status_code == 200
    answer = client.post(
        "/signin", data={"email": email, "next": next_path, "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def use_link(client: TestClient, link: str, next_override: str | None = None) -> str:
    """Open the emailed link, press the button; returns where the app sends us."""
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.text
    assert "Sign in" in page.text
    params = parse_qs(parts.query)
    data = {
        "token": params["token"][0],
        "next": next_override if next_override is not None else params.get("next", [""])[0],
        "csrf_token": csrf_of(page.text),
    }
    done = client.post("/signin/verify", data=data)
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def sign_in(client: TestClient, box: Mailbox, email: str) -> None:
    ask_for_link(client, email)
    assert use_link(client, box.links()[-1]) == "/profile"


def test_sign_in_end_to_end(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    box, _ = mailbox
    client = accounts_client
    assert "Sign in" in client.get("/").text
    assert SENT in ask_for_link(client, "  Ada@Example.org ")
    assert len(box.messages) == 1
    msg = box.messages[0]
    assert msg["To"] == "ada@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    html = msg.get_body(("html",))
    assert html is not None and "<img" not in html.get_content()
    [link] = box.links()
    assert link.startswith("http://testserver/signin/verify?token=")
    # Opening the link (as a mail scanner would) signs nobody in and uses nothing up.
    client.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert client.get("/profile").headers["location"].startswith("/signin")
    assert use_link(client, link) == "/profile"
    profile = client.get("/profile")
    assert profile.status_code == 200 and "ada@example.org" in profile.text
    assert "Sign out" in profile.text
    user = sqlite_store.accounts.get_user_by_email("ada@example.org")
    assert user is not None and user.role == "reader" and user.display_name == "ada"

    # Profile update, then sign out.
    saved = client.post(
        "/profile",
        data={"display_name": "Ada L.", "affiliation": "", "csrf_token": csrf_of(profile.text)},
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Saved." in page and "Ada L." in page
    out = client.post("/signout", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert client.get("/profile").status_code == 303


def test_known_and_unknown_addresses_get_the_same_answer(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    sqlite_store.accounts.create_user("known@example.org")
    known = ask_for_link(accounts_client, "known@example.org")
    unknown = ask_for_link(accounts_client, "nobody@example.org")
    assert known == unknown and SENT in known
    assert len(mailbox[0].messages) == 2


def test_malformed_address_is_422(accounts_client: TestClient) -> None:
    form = accounts_client.get("/signin")
    for bad in ["not-an-address", "a@b", "<script>@x.org", ""]:
        answer = accounts_client.post(
            "/signin", data={"email": bad, "csrf_token": csrf_of(form.text)}
        )
        assert answer.status_code == 422
        assert "valid email address" in answer.text
        assert "<script>@" not in answer.text


def test_a_link_works_once(accounts_client: TestClient, mailbox: tuple[Mailbox, int]) -> None:
    box, _ = mailbox
    ask_for_link(accounts_client, "once@example.org")
    link = box.links()[0]
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert use_link(accounts_client, link) == "/profile"
    again = accounts_client.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert again.status_code == 410 and "no longer works" in again.text
    assert 'href="/signin"' in again.text
    csrf = csrf_of(accounts_client.get("/signin").text)
    replay = accounts_client.post("/signin/verify", data={"token": token, "csrf_token": csrf})
    assert replay.status_code == 410 and "no longer works" in replay.text


def test_an_expired_link_gets_a_clear_page(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    box, _ = mailbox
    ask_for_link(accounts_client, "late@example.org")
    page = accounts_client.get(urlsplit(box.links()[0]).path + "?" + urlsplit(box.links()[0]).query)
    with sqlite_store.engine.begin() as conn:
        conn.execute(update(login_tokens).values(expires_at=utcnow()))
    token = parse_qs(urlsplit(box.links()[0]).query)["token"][0]
    late = accounts_client.post(
        "/signin/verify", data={"token": token, "csrf_token": csrf_of(page.text)}
    )
    assert late.status_code == 410 and "no longer works" in late.text
    again = accounts_client.get(
        urlsplit(box.links()[0]).path + "?" + urlsplit(box.links()[0]).query
    )
    assert again.status_code == 410
    unknown = accounts_client.get("/signin/verify?token=nonsense")
    assert unknown.status_code == 410


def test_rate_limit_per_address(accounts_client: TestClient, mailbox: tuple[Mailbox, int]) -> None:
    answers = {ask_for_link(accounts_client, "busy@example.org") for _ in range(5)}
    assert len(answers) == 1  # identical, limited or not
    assert len(mailbox[0].messages) == 3  # sign_in_limit_per_email_hour=3
    ask_for_link(accounts_client, "other@example.org")
    assert len(mailbox[0].messages) == 4


def test_rate_limit_per_ip(
    tmp_path: Path, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    settings = make_settings(tmp_path, mailbox[1], sign_in_limit_per_ip_hour=2)
    app = create_app(settings, sqlite_store)
    with TestClient(app, client=("203.0.113.7", 4000)) as client:
        answers = {ask_for_link(client, f"user{i}@example.org") for i in range(4)}
    assert len(answers) == 1
    assert len(mailbox[0].messages) == 2
    with TestClient(app, client=("203.0.113.8", 4000)) as client:
        ask_for_link(client, "user9@example.org")
    assert len(mailbox[0].messages) == 3


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "evil"],
)
def test_next_cannot_leave_the_site(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], target: str
) -> None:
    ask_for_link(accounts_client, "next@example.org", next_path=target)
    link = mailbox[0].links()[0]
    assert "evil" not in link
    assert use_link(accounts_client, link, next_override=target) == "/profile"


def test_next_local_page_is_kept(accounts_client: TestClient, mailbox: tuple[Mailbox, int]) -> None:
    ask_for_link(accounts_client, "local@example.org", next_path="/search?q=x")
    assert use_link(accounts_client, mailbox[0].links()[0]) == "/search?q=x"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "<a href=javascript:alert(1)>x</a>",
    ],
)
def test_profile_text_is_shown_escaped(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], payload: str
) -> None:
    sign_in(accounts_client, mailbox[0], "xss@example.org")
    page = accounts_client.get("/profile")
    saved = accounts_client.post(
        "/profile",
        data={"display_name": payload, "affiliation": payload, "csrf_token": csrf_of(page.text)},
    )
    assert saved.status_code == 303
    for path in ("/profile", "/signin"):
        html = accounts_client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<a href=javascript" not in html and 'href="javascript' not in html
        assert payload in unescape(html)


def test_profile_limits(accounts_client: TestClient, mailbox: tuple[Mailbox, int]) -> None:
    sign_in(accounts_client, mailbox[0], "long@example.org")
    csrf = csrf_of(accounts_client.get("/profile").text)
    for data in ({"display_name": "x" * 81}, {"display_name": "ok", "affiliation": "y" * 121}):
        answer = accounts_client.post("/profile", data={**data, "csrf_token": csrf})
        assert answer.status_code == 422 and "at most" in answer.text
    blank = accounts_client.post("/profile", data={"display_name": " \n ", "csrf_token": csrf})
    assert blank.status_code == 422


def test_session_cookie_flags(
    accounts_client: TestClient, tmp_path: Path, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    cookie = accounts_client.get("/signin").headers["set-cookie"].lower()
    assert cookie.startswith("paperboy_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "max-age=2592000" in cookie  # 30 days
    # Plain pages without a form set no cookie.
    assert "set-cookie" not in accounts_client.get("/day").headers
    secure = make_settings(tmp_path, mailbox[1], base_url="https://papers.example.org")
    with TestClient(create_app(secure, sqlite_store)) as client:
        assert "secure" in client.get("/signin").headers["set-cookie"].lower()


def test_a_suspended_user_is_signed_out(
    accounts_client: TestClient, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    sign_in(accounts_client, mailbox[0], "bad@example.org")
    assert accounts_client.get("/profile").status_code == 200
    user = sqlite_store.accounts.get_user_by_email("bad@example.org")
    assert user is not None
    sqlite_store.accounts.set_user_suspended(user.id, True)
    assert accounts_client.get("/profile").status_code == 303
    assert ">Sign in</a>" in accounts_client.get("/signin").text
    # ... and gets no new links.
    ask_for_link(accounts_client, "bad@example.org")
    assert len(mailbox[0].messages) == 1


def test_development_prints_the_link_even_without_a_mail_server(
    tmp_path: Path, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.accounts.conftest import free_port

    settings = make_settings(tmp_path, free_port())  # nothing listens there
    with (
        caplog.at_level(logging.INFO, logger="paperboy"),
        TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client,
    ):
        assert SENT in ask_for_link(client, "dev@example.org")
        links = re.findall(r"http://testserver/signin/verify\?token=\S+", caplog.text)
        assert len(links) == 1
        assert use_link(client, links[0]) == "/profile"


def test_production_reports_a_mail_failure_and_logs_no_link(
    tmp_path: Path, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.accounts.conftest import free_port

    settings = make_settings(tmp_path, free_port(), environment="production", secret_key="k" * 40)
    with (
        caplog.at_level(logging.INFO, logger="paperboy"),
        TestClient(create_app(settings, sqlite_store)) as client,
    ):
        form = client.get("/signin")
        answer = client.post(
            "/signin", data={"email": "prod@example.org", "csrf_token": csrf_of(form.text)}
        )
    assert answer.status_code == 502 and "could not send mail" in answer.text
    assert "signin/verify" not in caplog.text


def test_settings_fixture_is_development(mail_settings: Settings) -> None:
    assert mail_settings.environment == "development"


def test_development_says_where_the_link_is(
    tmp_path: Path, mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    hint = "the sign-in link is also written to the server's log"
    development = make_settings(tmp_path, mailbox[1])
    with TestClient(create_app(development, sqlite_store)) as client:
        assert hint in ask_for_link(client, "dev@example.org")
    production = make_settings(tmp_path, mailbox[1], environment="production", secret_key="k" * 40)
    with TestClient(create_app(production, sqlite_store)) as client:
        assert hint not in ask_for_link(client, "prod@example.org")
