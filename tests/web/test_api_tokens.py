"""Personal API tokens: created and revoked on the profile page (a reader signed in by the
real emailed link), then used by a cookie-less script client for the write API without a
CSRF token; refused when revoked, unknown, a suspended owner's, or sent to an HTML form.
Submissions go to the real local arXiv server of the source tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # the fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.ingest.conftest import source_server as source_server
from tests.ingest.source_server import LocalServer
from tests.web.test_submissions import RECENT_ID
from tests.web.test_submissions import submit_settings as submit_settings
from tests.web.test_votes import PAPER

WRITE_PATHS = (f"/api/papers/{PAPER}/vote", "/api/submissions")


@pytest.fixture
def app(submit_settings: Settings, loaded_store: Store, search_service: SearchService) -> object:
    return create_app(submit_settings, loaded_store, search_service)


@pytest.fixture
def script(app: object) -> Iterator[TestClient]:
    """A client without cookies, like curl in a script."""
    with TestClient(app, follow_redirects=False) as c:  # type: ignore[arg-type]
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(store: Store, email: str) -> str:
    user = store.accounts.get_user_by_email(email) or store.accounts.create_user(email)
    return store.tokens.create_token(user.id, "api", "script")[1]


def assert_unauthorized(answer: object) -> None:
    status = getattr(answer, "status_code", None)
    headers = getattr(answer, "headers", {})
    assert status == 401, status
    assert headers["www-authenticate"].startswith("Bearer")
    body = answer.json()  # type: ignore[attr-defined]
    assert body["error"]["status"] == 401 and "token" in body["error"]["detail"]


def test_profile_creates_lists_and_revokes_tokens_that_scripts_use(
    app: object, script: TestClient, mailbox: tuple[Mailbox, int], loaded_store: Store
) -> None:
    with TestClient(app, follow_redirects=False) as browser:  # type: ignore[arg-type]
        sign_in(browser, mailbox[0], "reader@example.org")
        profile = browser.get("/profile").text
        assert 'id="api-tokens"' in profile and "You have no API tokens." in profile
        # The create form is CSRF-protected like every other form.
        assert browser.post("/profile/api-tokens", data={"name": "x"}).status_code == 403
        created = browser.post(
            "/profile/api-tokens",
            data={"name": "laptop <script>", "csrf_token": csrf_of(profile)},
        )
        assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
        found = re.search(r'id="api-token-plaintext">([A-Za-z0-9_-]{40,})<', created.text)
        assert found, "the new token is not shown"
        plaintext = found.group(1)
        assert "laptop &lt;script&gt;" in created.text  # the name is escaped
        listed = browser.get("/profile").text
        assert "laptop &lt;script&gt;" in listed and plaintext not in listed
        assert re.search(r"laptop &lt;script&gt;</td>\s*<td>[^<]+</td>\s*<td>never</td>", listed)

        vote = script.post(f"/api/papers/{PAPER}/vote", headers=bearer(plaintext))
        assert vote.status_code == 200 and vote.json()["voted"] is True
        listed = browser.get("/profile").text
        assert "<td>never</td>" not in listed  # last used is shown now

        [token] = loaded_store.tokens.list_tokens(
            loaded_store.accounts.get_user_by_email("reader@example.org").id,  # type: ignore[union-attr]
            "api",
        )
        revoke = f"/profile/api-tokens/{token.id}/revoke"
        assert browser.post(revoke).status_code == 403  # no CSRF token
        answer = browser.post(revoke, data={"csrf_token": csrf_of(listed)})
        assert (answer.status_code, answer.headers["location"]) == (303, "/profile#api-tokens")
        assert "You have no API tokens." in browser.get("/profile").text
    assert_unauthorized(script.post(f"/api/papers/{PAPER}/vote", headers=bearer(plaintext)))


def test_a_reader_cannot_revoke_another_readers_token(
    app: object, mailbox: tuple[Mailbox, int], loaded_store: Store
) -> None:
    owner = loaded_store.accounts.create_user("owner@example.org")
    theirs, plaintext = loaded_store.tokens.create_token(owner.id, "api", "theirs")
    with TestClient(app, follow_redirects=False) as browser:  # type: ignore[arg-type]
        sign_in(browser, mailbox[0], "other@example.org")
        token = csrf_of(browser.get("/profile").text)
        answer = browser.post(f"/profile/api-tokens/{theirs.id}/revoke", data={"csrf_token": token})
        assert answer.status_code == 404
    assert loaded_store.tokens.user_for_token("api", plaintext) is not None


def test_token_writes_need_no_csrf_token(
    script: TestClient, loaded_store: Store, source_server: LocalServer
) -> None:
    token = token_for(loaded_store, "writer@example.org")
    vote = script.post(f"/api/papers/{PAPER}/vote", headers=bearer(token))
    assert vote.status_code == 200 and vote.json() == {"id": PAPER, "upvotes": 1, "voted": True}
    submitted = script.post("/api/submissions", json={"arxiv_id": RECENT_ID}, headers=bearer(token))
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["id"] == RECENT_ID and submitted.json()["announced"]
    by = loaded_store.submissions.submissions_of([loaded_store.papers.get_paper(RECENT_ID).id])  # type: ignore[union-attr]
    assert [s.user.email for s in by.values()] == ["writer@example.org"]
    # The form's rules, through the same code: a second submission is a conflict...
    again = script.post("/api/submissions", json={"arxiv_id": RECENT_ID}, headers=bearer(token))
    assert again.status_code == 409 and "already on paperboy" in again.json()["error"]["detail"]
    bad = script.post("/api/submissions", json={"arxiv_id": "not an id"}, headers=bearer(token))
    assert bad.status_code == 422 and bad.json()["error"]["title"] == "Invalid input"
    # ... and the per-day limit (2 in these settings) answers 429 with Retry-After.
    loaded_store.submissions.add_submission(
        loaded_store.papers.get_paper(PAPER).id,  # type: ignore[union-attr]
        loaded_store.accounts.get_user_by_email("writer@example.org").id,  # type: ignore[union-attr]
    )
    limited = script.post(
        "/api/submissions", json={"arxiv_id": "2611.00043"}, headers=bearer(token)
    )
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_without_a_token_or_session_writes_are_refused(script: TestClient) -> None:
    for path in WRITE_PATHS:
        answer = script.post(path, json={"arxiv_id": RECENT_ID})
        assert answer.status_code == 403, path


def test_unknown_revoked_and_suspended_tokens_are_401(
    script: TestClient, loaded_store: Store
) -> None:
    assert_unauthorized(script.get("/api/library", headers=bearer("made-up")))
    assert_unauthorized(script.post(WRITE_PATHS[0], headers=bearer("")))
    # Public reads ignore a foreign token (HF clients send their HF token everywhere).
    for path in ("/api/feed", "/api/daily_papers"):
        assert script.get(path, headers=bearer("hf_NotPaperboys")).status_code == 200
    token = token_for(loaded_store, "suspended@example.org")
    assert script.get("/api/feed", headers=bearer(token)).status_code == 200
    user = loaded_store.accounts.get_user_by_email("suspended@example.org")
    assert user is not None
    loaded_store.accounts.set_user_suspended(user.id, True)
    for path in WRITE_PATHS:
        assert_unauthorized(script.post(path, json={"arxiv_id": RECENT_ID}, headers=bearer(token)))
    assert loaded_store.votes.vote_totals([loaded_store.papers.get_paper(PAPER).id]) == {  # type: ignore[union-attr]
        loaded_store.papers.get_paper(PAPER).id: 0  # type: ignore[union-attr]
    }


def test_a_token_does_not_work_on_html_forms(script: TestClient, loaded_store: Store) -> None:
    token = token_for(loaded_store, "forms@example.org")
    answer = script.post(f"/paper/{PAPER}/vote", headers=bearer(token))
    assert answer.status_code == 403  # the form route wants the session's CSRF token
    answer = script.post("/submit", data={"paper_id": RECENT_ID}, headers=bearer(token))
    assert answer.status_code == 403
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None and loaded_store.votes.vote_totals([paper.id]) == {paper.id: 0}
    assert loaded_store.papers.get_paper(RECENT_ID) is None


def test_a_token_beside_a_session_cookie_still_needs_csrf(
    app: object, mailbox: tuple[Mailbox, int], loaded_store: Store
) -> None:
    token = token_for(loaded_store, "both@example.org")
    with TestClient(app, follow_redirects=False) as browser:  # type: ignore[arg-type]
        sign_in(browser, mailbox[0], "both@example.org")
        answer = browser.post(f"/api/papers/{PAPER}/vote", headers=bearer(token))
        assert answer.status_code == 403 and "CSRF" in answer.json()["error"]["detail"]


def test_openapi_documents_the_token_scheme_on_write_endpoints(script: TestClient) -> None:
    schema = script.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    for path in ("/api/papers/{arxiv_id}/vote", "/api/submissions"):
        operation = schema["paths"][path]["post"]
        assert {"apiToken": []} in operation["security"]
        assert {"401", "403", "429"} <= set(operation["responses"])


def test_library_writes_with_a_token(script: TestClient, loaded_store: Store) -> None:
    token = token_for(loaded_store, "saver@example.org")
    saved = script.put(
        f"/api/library/{PAPER}", json={"tags": ["to read"], "note": "n"}, headers=bearer(token)
    )
    assert saved.status_code == 201, saved.text
    user = loaded_store.accounts.get_user_by_email("saver@example.org")
    paper = loaded_store.papers.get_paper(PAPER)
    assert user is not None and paper is not None
    assert paper.id in loaded_store.library.saved_paper_ids(user.id)
    assert script.delete(f"/api/library/{PAPER}", headers=bearer(token)).status_code == 204
    assert loaded_store.library.saved_paper_ids(user.id) == {}
    loaded_store.accounts.set_user_suspended(user.id, True)
    assert_unauthorized(script.put(f"/api/library/{PAPER}", json={}, headers=bearer(token)))
