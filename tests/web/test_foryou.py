"""The "For you" feed through the app: a reader signed in by the real emailed link
(aiosmtpd) who upvoted and saved fixture papers sees related recent fixture papers, each
with the reason; "Not interested" removes an entry; signed-out readers are sent to sign
in; the JSON API. The fixture papers are announced 2026-06-26..30; the feed's window ends
at the newest announcement day, so the real clock does not matter."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # the fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in

UPVOTED = "2606.27604"  # Spectral Subsurface Scattering from RGB via Biophysical Skin ...
SAVED = "2606.26434"  # Deletion-Correcting Codes for the l-Symbol Read Channel
LIKE_UPVOTED = "2606.29387"  # Dipole Diffusion Error ... Grid-Free Subsurface Scattering
EMAIL = "reader@example.org"


@pytest.fixture
def anon(
    settings: Settings,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
    search_service: SearchService,
) -> Iterator[TestClient]:
    app_settings = make_settings(settings.data_dir, mailbox[1], model_dir=settings.model_dir)
    app = create_app(app_settings, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def reader(anon: TestClient, mailbox: tuple[Mailbox, int], loaded_store: Store) -> TestClient:
    """Signed in; upvoted UPVOTED through the form, saved SAVED in the library."""
    sign_in(anon, mailbox[0], EMAIL)
    page = anon.get(f"/paper/{UPVOTED}")
    voted = anon.post(
        f"/paper/{UPVOTED}/vote", data={"csrf_token": csrf_of(page.text), "next": "/"}
    )
    assert voted.status_code == 303
    user = loaded_store.accounts.get_user_by_email(EMAIL)
    saved = loaded_store.papers.get_paper(SAVED)
    assert user is not None and saved is not None
    loaded_store.library.save(user.id, saved.id)
    return anon


def entries(page: str) -> dict[str, str]:
    """arXiv id -> the reason shown under it, in page order."""
    found = re.findall(
        r'<h3 class="paper-title"><a href="/paper/([^"]+)">.*?'
        r'<p class="foryou-reason">([^<]*)</p>',
        page,
        re.S,
    )
    return {arxiv_id: html.unescape(reason) for arxiv_id, reason in found}


def test_signed_out_reader_is_sent_to_sign_in(anon: TestClient) -> None:
    answer = anon.get("/for-you")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Ffor-you"
    assert anon.get("/api/for-you").status_code == 401  # the CurrentReader guard
    assert anon.put("/api/papers/2401.00001/not-interested").status_code in (401, 403)
    assert "/for-you" not in anon.get("/").text  # no nav link signed out


def test_reader_without_seeds_sees_how_to_get_recommendations(
    anon: TestClient, mailbox: tuple[Mailbox, int]
) -> None:
    sign_in(anon, mailbox[0], "new@example.org")
    page = anon.get("/for-you")
    assert page.status_code == 200
    assert 'href="/for-you"' in page.text  # the nav link
    assert "save" in page.text and "upvote" in page.text
    assert entries(page.text) == {}
    assert anon.get("/api/for-you").json()["papers"] == []


def test_recommendations_come_with_the_seed_that_led_to_them(reader: TestClient) -> None:
    page = reader.get("/for-you")
    assert page.status_code == 200
    shown = entries(page.text)
    assert shown, page.text
    assert UPVOTED not in shown and SAVED not in shown  # never the seeds themselves
    assert shown[LIKE_UPVOTED] == (
        "Because you upvoted “Spectral Subsurface Scattering from RGB via Biophysical Skin "
        "Inversion”"
    )
    assert list(shown).index(LIKE_UPVOTED) < 3  # its closest neighbour ranks near the top
    saved_reasons = [a for a, r in shown.items() if r.startswith("Because you saved “Deletion")]
    assert saved_reasons, shown  # the saved paper explains some entries too
    assert set(shown.values()) <= {
        "Because you upvoted “Spectral Subsurface Scattering from RGB via Biophysical Skin "
        "Inversion”",
        "Because you saved “Deletion-Correcting Codes for the $\\ell$-Symbol Read Channel”",
    }


def test_not_interested_removes_the_entry(reader: TestClient) -> None:
    page = reader.get("/for-you")
    assert LIKE_UPVOTED in entries(page.text)
    token = csrf_of(page.text)
    answer = reader.post(
        f"/paper/{LIKE_UPVOTED}/not-interested", data={"csrf_token": token, "next": "/for-you"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/for-you"
    assert LIKE_UPVOTED not in entries(reader.get("/for-you").text)
    # Undo brings it back; a foreign `next` never leaves the site.
    answer = reader.post(
        f"/paper/{LIKE_UPVOTED}/not-interested",
        data={"csrf_token": token, "next": "https://evil.example/", "undo": "1"},
    )
    assert answer.headers["location"] == "/for-you"
    assert LIKE_UPVOTED in entries(reader.get("/for-you").text)


def test_api_lists_recommendations_and_takes_not_interested(reader: TestClient) -> None:
    body = reader.get("/api/for-you?limit=5").json()
    assert body["window_days"] == 7
    assert (body["since"], body["until"]) == ("2026-06-24", "2026-06-30")
    papers = body["papers"]
    assert 0 < len(papers) <= 5
    assert [p["score"] for p in papers] == sorted((p["score"] for p in papers), reverse=True)
    assert all(p["reason"].startswith("Because you ") for p in papers)
    assert LIKE_UPVOTED in [p["id"] for p in papers]
    token = csrf_of(reader.get("/for-you").text)
    put = reader.put(f"/api/papers/{LIKE_UPVOTED}/not-interested", headers={"X-CSRF-Token": token})
    assert put.json() == {"id": LIKE_UPVOTED, "not_interested": True}
    assert LIKE_UPVOTED not in [p["id"] for p in reader.get("/api/for-you").json()["papers"]]
    gone = reader.delete(
        f"/api/papers/{LIKE_UPVOTED}/not-interested", headers={"X-CSRF-Token": token}
    )
    assert gone.json() == {"id": LIKE_UPVOTED, "not_interested": False}
    assert (
        reader.put(
            "/api/papers/2606.00000/not-interested", headers={"X-CSRF-Token": token}
        ).status_code
        == 404
    )
