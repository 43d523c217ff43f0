"""Subscribing through the site with a real SMTP server: the footer form, double
opt-in, preferences by signed link, RFC 8058 one-click unsubscribe, and the profile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.digest import send_due_digests
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.digest.conftest import DUE, ScriptedMailbox


@pytest.fixture
def site(digest_settings: Settings, loaded_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(digest_settings, loaded_store), follow_redirects=False) as c:
        yield c


def links(box: ScriptedMailbox, path: str) -> list[str]:
    found = []
    for msg in box.messages:
        body = msg.get_body(("plain",))
        assert body is not None
        found += re.findall(rf"https?://\S+{re.escape(path)}\?\S+", body.get_content())
    return found


def footer_subscribe(client: TestClient, email: str) -> str:
    """A signed-out reader: the footer form (a GET, so public pages set no cookie and can
    be cached) opens /subscribe with the address filled in; its form posts with the token."""
    page = client.get("/")
    assert 'action="/subscribe" method="get"' in page.text, "every page has the footer form"
    assert "set-cookie" not in page.headers
    form = client.get("/subscribe", params={"email": email})
    assert f'value="{email}"' in form.text
    answer = client.post("/subscribe", data={"email": email, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 200, answer.text
    return answer.text


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_double_opt_in_from_the_footer(
    site: TestClient,
    loaded_store: Store,
    digest_settings: Settings,
    smtp: tuple[ScriptedMailbox, int],
) -> None:
    box, _ = smtp
    assert "Check your inbox" in footer_subscribe(site, "New.Reader@Example.org")
    [link] = links(box, "/subscribe/confirm")
    assert box.messages[0]["To"] == "new.reader@example.org"
    sub = loaded_store.digests.get_subscription_by_email("new.reader@example.org")
    assert sub is not None and sub.status == "pending"
    # Nothing is sent before confirming, even when a digest would be due.
    assert send_due_digests(loaded_store, digest_settings, now=DUE).sent == 0
    assert len(box.messages) == 1

    page = site.get(local(link))  # opening the link (or a mail scanner) changes nothing
    assert page.status_code == 200 and "Confirm subscription" in page.text
    assert loaded_store.digests.get_subscription(sub.id).status == "pending"  # type: ignore[union-attr]
    token = parse_qs(urlsplit(link).query)["token"][0]
    done = site.post("/subscribe/confirm", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/subscription?")
    assert loaded_store.digests.get_subscription(sub.id).status == "active"  # type: ignore[union-attr]
    # Single use.
    assert site.get(local(link)).status_code == 410
    again = site.post("/subscribe/confirm", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert again.status_code == 410

    # The preferences page from the redirect: choose weekly on Tuesday, cs.LG only.
    prefs_page = site.get(done.headers["location"])
    assert prefs_page.status_code == 200 and "Subscription confirmed" in prefs_page.text
    manage = parse_qs(urlsplit(done.headers["location"]).query)["token"][0]
    saved = site.post(
        "/subscription",
        data={
            "token": manage,
            "frequency": "weekly",
            "weekday": "1",
            "categories": "cs.LG",
            "include_keywords": "",
            "exclude_keywords": "survey",
            "max_papers": "4",
            "csrf_token": csrf_of(prefs_page.text),
        },
    )
    assert saved.status_code == 303
    sub = loaded_store.digests.get_subscription(sub.id)
    assert sub is not None
    assert (sub.frequency, sub.weekday, sub.categories, sub.max_papers) == (
        "weekly",
        1,
        ["cs.LG"],
        4,
    )
    assert send_due_digests(loaded_store, digest_settings, now=DUE).sent == 1
    digest = box.messages[-1]
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "weekly (Tuesday)" in text and text.count("/paper/") <= 4


def test_expired_confirmation_link_is_refused(
    site: TestClient, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    footer_subscribe(site, "late@example.org")
    [link] = links(smtp[0], "/subscribe/confirm")
    sub = loaded_store.digests.get_subscription_by_email("late@example.org")
    assert sub is not None
    from sqlalchemy import update

    from paperboy.store.models import subscriptions

    with loaded_store.engine.begin() as conn:
        conn.execute(update(subscriptions).values(confirm_expires_at=DUE - timedelta(days=1)))
    assert site.get(local(link)).status_code == 410


def test_bad_addresses_and_repeated_requests(
    site: TestClient, smtp: tuple[ScriptedMailbox, int]
) -> None:
    page = site.get("/subscribe")
    for bad in ("", "not-an-address", "a@b", "<script>@x.org", "x" * 300 + "@example.org"):
        answer = site.post("/subscribe", data={"email": bad, "csrf_token": csrf_of(page.text)})
        assert answer.status_code == 422
        assert "valid email address" in answer.text
        assert "<script>@" not in answer.text
    odd = site.post(
        "/subscribe", data={"email": "josé@example.org", "csrf_token": csrf_of(page.text)}
    )
    assert odd.status_code == 422 and "ASCII" in odd.text
    # Asking again at once sends no second email: the form cannot flood an inbox.
    for _ in range(3):
        footer_subscribe(site, "once@example.org")
    assert len(smtp[0].messages) == 1


def test_one_click_unsubscribe_without_a_session(
    site: TestClient,
    loaded_store: Store,
    digest_settings: Settings,
    smtp: tuple[ScriptedMailbox, int],
) -> None:
    from tests.digest.conftest import subscribe

    leaving = subscribe(loaded_store, "leaving@example.org")
    staying = subscribe(loaded_store, "staying@example.org")
    send_due_digests(loaded_store, digest_settings, now=DUE)
    by_to = {str(m["To"]): m for m in smtp[0].messages}
    header = by_to["leaving@example.org"]["List-Unsubscribe"]
    url = header.strip("<>")
    # What a mail provider does (RFC 8058): POST the body below to the header's URL,
    # with no cookie and no CSRF token.
    fresh = TestClient(site.app, follow_redirects=False)
    answer = fresh.post(
        local(url),
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    assert loaded_store.digests.get_subscription(leaving.id).status == "unsubscribed"  # type: ignore[union-attr]
    assert loaded_store.digests.get_subscription(staying.id).status == "active"  # type: ignore[union-attr]
    # The GET page only shows a button.
    assert "already unsubscribed" in fresh.get(local(url)).text

    # A token cannot be bent to another subscription: tampering breaks the signature.
    token = parse_qs(urlsplit(url).query)["token"][0]
    payload, signature = token.rsplit(".", 1)
    import base64
    import json

    forged = (
        base64.urlsafe_b64encode(
            json.dumps([staying.id, "staying@example.org"], separators=(",", ":")).encode()
        )
        .decode()
        .rstrip("=")
    )
    for bad in (f"{forged}.{signature}", payload, "", "garbage"):
        refused = fresh.post(f"/unsubscribe?token={bad}", content=b"List-Unsubscribe=One-Click")
        assert refused.status_code == 403
    assert loaded_store.digests.get_subscription(staying.id).status == "active"  # type: ignore[union-attr]
    # The preferences token is not an unsubscribe token either (different salt).
    from paperboy.digest.subscriptions import subscription_token

    manage = subscription_token(
        digest_settings, loaded_store.digests.get_subscription(staying.id), "manage"
    )  # type: ignore[arg-type]
    assert fresh.post(f"/unsubscribe?token={manage}").status_code == 403
    # No more digests for the address that left.
    send_due_digests(loaded_store, digest_settings, now=DUE - timedelta(days=1))
    assert smtp[0].recipients() == {"leaving@example.org": 1, "staying@example.org": 2}


def test_preferences_need_the_link_or_a_session(site: TestClient) -> None:
    signed_out = site.get("/subscription")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/signin?next=%2Fsubscription"
    assert "change your email digest" in site.get(signed_out.headers["location"]).text
    assert site.get("/subscription?token=forged.value").status_code == 403


def test_signed_in_reader_subscribes_from_the_profile_at_once(
    site: TestClient, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    sign_in(site, box, "member@example.org")
    profile = site.get("/profile")
    assert "Email digest" in profile.text
    answer = site.post(
        "/subscribe", data={"email": "member@example.org", "csrf_token": csrf_of(profile.text)}
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/subscription")
    sub = loaded_store.digests.get_subscription_by_email("member@example.org")
    user = loaded_store.accounts.get_user_by_email("member@example.org")
    assert sub is not None and user is not None
    assert sub.status == "active" and sub.user_id == user.id  # the address is proven
    assert len(box.messages) == 1  # only the sign-in link: no confirmation needed
    prefs = site.get("/subscription")
    assert prefs.status_code == 200 and "member@example.org" in prefs.text
    assert "Change what you receive" in site.get("/profile").text
    saved = site.post(
        "/subscription",
        data={
            "frequency": "weekly",
            "weekday": "4",
            "categories": "cs.LG",
            "include_keywords": "diffusion",
            "max_papers": "25",
            "csrf_token": csrf_of(prefs.text),
        },
    )
    assert saved.status_code == 303
    # The footer form (on every page, filled with the reader's address) changes nothing.
    again = site.post(
        "/subscribe", data={"email": "member@example.org", "csrf_token": csrf_of(prefs.text)}
    )
    assert again.status_code == 303
    kept = loaded_store.digests.get_subscription(sub.id)
    assert kept is not None
    assert (kept.frequency, kept.weekday, kept.categories, kept.include_keywords) == (
        "weekly",
        4,
        ["cs.LG"],
        ["diffusion"],
    )
    assert kept.max_papers == 25
