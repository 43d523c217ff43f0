"""Reader submissions through the app: a reader signed in by the real emailed link, the
arXiv API played by the real local HTTP server of the source tests (the recorded Atom
response of shared/data, and a small recent entry from tests/fixtures)."""

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
from tests.accounts.conftest import mailbox as mailbox
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.ingest.conftest import arxiv_stand_in
from tests.ingest.conftest import source_server as source_server
from tests.ingest.source_server import ATOM_SCIENCE, FIXTURES, LocalServer, Seen
from tests.support import require_shared
from tests.web.test_votes import PAPER

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
RECENT_ID = "2611.00042"
OLD_ID = "1501.05039"  # published 2015-01-21 in the recorded response
FIXTURE_TIME = "2026-11-18T17:59:59Z"


def recent_feed() -> bytes:
    """The recent fixture entry, dated two days ago."""
    text = (FIXTURES / "arxiv-api-recent-entry.xml").read_text()
    stamp = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return text.replace(FIXTURE_TIME, stamp).encode()


EMPTY_FEED = b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>'


def play_arxiv(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    wanted = seen.query.get("id_list", "")
    if wanted.startswith(RECENT_ID):
        return 200, ATOM, recent_feed()
    if wanted.startswith(OLD_ID):
        return 200, ATOM, ATOM_SCIENCE.read_bytes()
    return 200, ATOM, EMPTY_FEED


@pytest.fixture
def submit_settings(
    settings: Settings, mailbox: tuple[Mailbox, int], source_server: LocalServer
) -> Settings:
    source_server.handler = play_arxiv
    return make_settings(
        settings.data_dir,
        mailbox[1],
        model_dir=settings.model_dir,
        **arxiv_stand_in(source_server),
        submissions_per_day=2,
    )


@pytest.fixture
def submitter(
    submit_settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    mailbox: tuple[Mailbox, int],
) -> Iterator[TestClient]:
    app = create_app(submit_settings, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, mailbox[0], "submitter@example.org")
        yield c


def submit(client: TestClient, paper_id: str) -> tuple[int, str, str]:
    token = csrf_of(client.get("/submit").text)
    answer = client.post("/submit", data={"paper_id": paper_id, "csrf_token": token})
    return answer.status_code, answer.headers.get("location", ""), answer.text


def alert(html: str) -> str:
    found = re.search(r'<p class="form-error" role="alert">(.*?)</p>', html, re.S)
    assert found, "no error message on the form"
    return found.group(1)


def test_submission_lands_on_todays_page_with_the_submitter(
    submitter: TestClient, loaded_store: Store, source_server: LocalServer
) -> None:
    status, location, _ = submit(submitter, f"https://arxiv.org/abs/{RECENT_ID}")
    assert (status, location) == (303, f"/paper/{RECENT_ID}")
    asked = source_server.requests("/api/query")
    assert [s.query["id_list"] for s in asked] == [RECENT_ID]
    paper = loaded_store.papers.get_paper(RECENT_ID)
    assert paper is not None and paper.title.startswith("Sparse Mixture Routing")
    today = utcnow().date()
    assert paper.announced == today
    user = loaded_store.accounts.get_user_by_email("submitter@example.org")
    assert user is not None
    byline = f"submitted by {user.display_name}"
    assert byline in submitter.get(f"/paper/{RECENT_ID}").text
    day = submitter.get(f"/day/{today.isoformat()}").text
    assert f"/paper/{RECENT_ID}" in day and byline in day
    # the same paper again: a duplicate, with a link to it
    status, _, html = submit(submitter, RECENT_ID)
    assert status == 409
    assert "already on paperboy" in alert(html) and f'href="/paper/{RECENT_ID}"' in alert(html)


@pytest.mark.parametrize(
    ("paper_id", "status", "message"),
    [
        ("not-an-id", 422, "not an arXiv id"),
        ("https://evil.example/abs/2611.00042", 422, "not an arXiv id"),
        (PAPER, 409, "already on paperboy"),
        (OLD_ID, 422, "in the last 14 days"),
        ("2611.99999", 404, "arXiv does not know"),
    ],
)
def test_refusals_are_shown_on_the_form(
    submitter: TestClient, loaded_store: Store, paper_id: str, status: int, message: str
) -> None:
    if paper_id == OLD_ID:  # arXiv's answer for it is in the shared data
        require_shared(ATOM_SCIENCE)
    before = loaded_store.papers.count_papers()
    got, _, html = submit(submitter, paper_id)
    assert got == status
    assert message in alert(html)
    assert loaded_store.papers.count_papers() == before


def test_arxiv_unreachable_is_a_502_on_the_form(
    submitter: TestClient, source_server: LocalServer
) -> None:
    source_server.handler = lambda seen: (500, {}, b"down")
    status, _, html = submit(submitter, RECENT_ID)
    assert status == 502 and "could not be reached" in alert(html)


def test_per_day_limit(
    submitter: TestClient, loaded_store: Store, source_server: LocalServer
) -> None:
    user = loaded_store.accounts.get_user_by_email("submitter@example.org")
    assert user is not None
    earlier = list(loaded_store.papers.get_papers_by_ids(range(1, 4)).values())
    for paper in earlier[:2]:  # two submissions earlier today: the limit is 2
        loaded_store.submissions.add_submission(paper.id, user.id)
    yesterday = utcnow() - timedelta(days=1)
    loaded_store.submissions.add_submission(earlier[2].id, user.id, now=yesterday)  # does not count
    status, _, html = submit(submitter, RECENT_ID)
    assert status == 429 and "at most 2 papers a day" in alert(html)
    assert source_server.requests("/api/query") == []
    assert loaded_store.papers.get_paper(RECENT_ID) is None


def test_signed_out_visitors_are_sent_to_sign_in(
    submit_settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    app = create_app(submit_settings, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as guest:
        answer = guest.get("/submit")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/signin?next=%2Fsubmit"


def test_arxiv_asking_to_wait_is_a_503_with_retry_after_at_once(
    submitter: TestClient, loaded_store: Store, source_server: LocalServer
) -> None:
    source_server.handler = lambda seen: (503, {"Retry-After": "90"}, b"busy")
    token = csrf_of(submitter.get("/submit").text)
    answer = submitter.post("/submit", data={"paper_id": RECENT_ID, "csrf_token": token})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "90"
    assert "arXiv is busy" in alert(answer.text)
    assert loaded_store.papers.get_paper(RECENT_ID) is None
    # The API says the same, in its error shape.
    api = submitter.post(
        "/api/submissions", json={"arxiv_id": "2611.00043"}, headers={"X-CSRF-Token": token}
    )
    assert api.status_code == 503 and int(api.headers["Retry-After"]) > 60
    assert api.json()["error"]["title"] == "Service unavailable"
    assert len(source_server.requests("/api/query")) == 1  # the held-off gate refused it


def test_failed_submissions_count_toward_the_hourly_attempts(
    submit_settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    mailbox: tuple[Mailbox, int],
    source_server: LocalServer,
) -> None:
    settings = submit_settings.model_copy(
        update={"arxiv_attempts_per_hour": 3, "request_interval": 0.0}
    )
    app = create_app(settings, loaded_store, search_service)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, mailbox[0], "prober@example.org")
        for n in range(3):  # ids arXiv does not know: 404, and each counts
            assert submit(client, f"2611.9999{n}")[0] == 404
        status, _, html = submit(client, "2611.99995")
        assert status == 429 and "at most 3 times an hour" in alert(html)
        assert len(source_server.requests("/api/query")) == 3
