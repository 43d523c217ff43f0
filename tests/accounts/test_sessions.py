"""Sessions are revocable (issue 10, fix 4): a session cookie names the account's session
generation, and signing out, "sign out everywhere" and suspension end every session
issued before, including copies of the cookie. The sign-in page of an emailed link names
(masked) the account it signs in to, so a link someone else sent cannot sign a reader
into the sender's account unnoticed (login CSRF)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.auth import SESSION_COOKIE
from tests.accounts.conftest import Mailbox
from tests.accounts.test_sign_in import ask_for_link, csrf_of, sign_in


@pytest.fixture
def app(mail_settings: Settings, sqlite_store: Store) -> FastAPI:
    return create_app(mail_settings, sqlite_store)


@pytest.fixture
def browsers(app: FastAPI) -> Iterator[tuple[TestClient, TestClient]]:
    """Two browsers (separate cookie jars) on the same site."""
    with (
        TestClient(app, follow_redirects=False) as first,
        TestClient(app, follow_redirects=False) as second,
    ):
        yield first, second


def copy_cookie(source: TestClient, target: TestClient) -> None:
    value = source.cookies.get(SESSION_COOKIE)
    assert value, "signed in, so there is a session cookie"
    target.cookies.set(SESSION_COOKIE, value)


def signed_in(client: TestClient) -> bool:
    answer = client.get("/profile")
    assert answer.status_code in (200, 303)
    return answer.status_code == 200


def test_a_copied_cookie_is_dead_after_sign_out(
    browsers: tuple[TestClient, TestClient], mailbox: tuple[Mailbox, int]
) -> None:
    mine, thief = browsers
    sign_in(mine, mailbox[0], "ada@example.org")
    copy_cookie(mine, thief)
    assert signed_in(thief)  # a copy works while the session lasts ...
    out = mine.post("/signout", data={"csrf_token": csrf_of(mine.get("/profile").text)})
    assert out.status_code == 303
    assert not signed_in(mine)
    # ... and not after its owner signed out (before: /profile for 30 more days).
    assert not signed_in(thief)
    assert thief.get("/profile").headers["location"] == "/signin?next=%2Fprofile"


def test_a_cookie_from_before_a_suspension_stays_dead_after_unsuspend(
    browsers: tuple[TestClient, TestClient],
    mailbox: tuple[Mailbox, int],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine, kept = browsers
    sign_in(mine, mailbox[0], "spam@example.org")
    copy_cookie(mine, kept)  # a copy that is not used while the account is suspended
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "suspend", "spam@example.org"]).exit_code == 0
    assert not signed_in(mine)
    assert runner.invoke(cli, ["user", "unsuspend", "spam@example.org"]).exit_code == 0
    # Before: the old cookie worked again once the account was unsuspended.
    assert not signed_in(kept)
    assert not signed_in(mine)
    sign_in(mine, mailbox[0], "spam@example.org")  # a new sign-in works
    assert signed_in(mine)


def test_sign_out_everywhere_ends_the_other_sessions(
    browsers: tuple[TestClient, TestClient], mailbox: tuple[Mailbox, int]
) -> None:
    laptop, phone = browsers
    sign_in(laptop, mailbox[0], "ada@example.org")
    sign_in(phone, mailbox[0], "ada@example.org")
    page = laptop.get("/profile").text
    assert 'action="/profile/sign-out-everywhere"' in page
    assert "API tokens" in page and "not signed out" in page
    done = laptop.post("/profile/sign-out-everywhere", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303
    assert done.headers["location"] == "/profile?signed_out_elsewhere=1"
    assert "Signed out everywhere else" in laptop.get(done.headers["location"]).text
    assert signed_in(laptop)  # this browser stays signed in, with a new session
    assert not signed_in(phone)


def test_sign_out_everywhere_needs_the_csrf_token(
    browsers: tuple[TestClient, TestClient], mailbox: tuple[Mailbox, int]
) -> None:
    laptop, phone = browsers
    sign_in(laptop, mailbox[0], "ada@example.org")
    sign_in(phone, mailbox[0], "ada@example.org")
    assert laptop.post("/profile/sign-out-everywhere").status_code == 403
    assert signed_in(phone)


def test_signed_out_sign_out_everywhere_goes_to_sign_in(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as client:
        csrf = csrf_of(client.get("/signin").text)
        answer = client.post("/profile/sign-out-everywhere", data={"csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_api_tokens_survive_sign_out(
    browsers: tuple[TestClient, TestClient], mailbox: tuple[Mailbox, int], sqlite_store: Store
) -> None:
    mine, script = browsers
    sign_in(mine, mailbox[0], "ada@example.org")
    user = sqlite_store.accounts.get_user_by_email("ada@example.org")
    assert user is not None
    _, token = sqlite_store.tokens.create_token(user.id, "api", "script")
    mine.post("/signout", data={"csrf_token": csrf_of(mine.get("/profile").text)})
    answer = script.get("/api/for-you", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


def test_the_link_page_names_the_account_masked(
    browsers: tuple[TestClient, TestClient], mailbox: tuple[Mailbox, int]
) -> None:
    attacker, victim = browsers
    ask_for_link(attacker, "mallory@example.org")
    link = urlsplit(mailbox[0].links()[0])
    page = victim.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert "Sign in as m…@example.org" in page.text
    assert "mallory@example.org" not in page.text  # masked: not readable over a shoulder
