"""Editor's picks and hidden papers through the app: curators and admins signed in by the
real emailed link, readers refused with 403, hidden papers gone from the feed, search
results and trending for readers but still there for admins."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.accounts.test_sign_in import csrf_of
from tests.web.test_comments import other_client as other_client
from tests.web.test_votes import DAY, PAPER
from tests.web.test_votes import anon as anon
from tests.web.test_votes import app_settings as app_settings
from tests.web.test_votes import mailbox as mailbox
from tests.web.test_votes import reader as reader

PAGE = f"/paper/{PAPER}"
SEARCH = "/search?q=Recursive+Self-Evolving+Agents+Held-Out+Selection"
ROW = f'<h3 class="paper-title"><a href="{PAGE}">'
Clients = Callable[..., TestClient]


def post(client: TestClient, path: str) -> tuple[int, str]:
    token = csrf_of(client.get(PAGE).text)
    answer = client.post(path, data={"csrf_token": token})
    return answer.status_code, answer.headers.get("location", "")


def picks_section(html: str) -> str:
    start = html.find("Editor's picks")
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def test_curator_picks_a_paper_for_its_day(reader: TestClient, other_client: Clients) -> None:
    assert picks_section(reader.get(f"/day/{DAY}").text) == ""
    curator = other_client("curator@example.org", "curator")
    assert "Pick for the day" in curator.get(PAGE).text
    assert post(curator, f"{PAGE}/pick") == (303, PAGE)
    section = picks_section(reader.get(f"/day/{DAY}").text)
    assert ROW in section
    assert '<p class="pick-mark">' in reader.get(PAGE).text
    assert picks_section(reader.get("/day/2026-06-29").text) == ""  # another day: none
    admin = other_client("admin@example.org", "admin")
    assert post(admin, f"{PAGE}/pick") == (303, PAGE)  # the toggle takes it back
    assert picks_section(reader.get(f"/day/{DAY}").text) == ""


def test_readers_may_not_pick_or_hide(reader: TestClient, other_client: Clients) -> None:
    assert "Pick for the day" not in reader.get(PAGE).text
    assert post(reader, f"{PAGE}/pick")[0] == 403
    assert post(reader, f"{PAGE}/hide")[0] == 403
    curator = other_client("curator@example.org", "curator")
    assert post(curator, f"{PAGE}/hide")[0] == 403
    assert ROW in reader.get(f"/day/{DAY}").text


def test_hidden_paper_leaves_feed_search_and_trending_except_for_admins(
    reader: TestClient, other_client: Clients
) -> None:
    assert post(reader, f"{PAGE}/vote")[0] == 303  # an upvote puts it on trending
    for path in (f"/day/{DAY}", SEARCH, "/trending?window=1"):
        assert ROW in reader.get(path).text, path
    admin = other_client("admin@example.org", "admin")
    assert post(admin, f"{PAGE}/hide") == (303, PAGE)
    for path in (f"/day/{DAY}", SEARCH, "/trending?window=1"):
        assert ROW not in reader.get(path).text, path
        assert ROW in admin.get(path).text, path
    assert PAPER not in {p["id"] for p in reader.get(f"/api/feed?date={DAY}").json()["papers"]}
    query = SEARCH.split("q=", 1)[1].split("&")[0]
    found = reader.get("/api/search", params={"q": query.replace("+", " ")}).json()["results"]
    assert found and PAPER not in {r["id"] for r in found}
    assert "Hidden by a moderator" in admin.get(PAGE).text
    assert post(admin, f"{PAGE}/hide") == (303, PAGE)  # unhide
    assert ROW in reader.get(f"/day/{DAY}").text


def test_signed_out_pick_goes_to_sign_in(anon: TestClient) -> None:
    token = csrf_of(anon.get("/signin").text)
    answer = anon.post(f"{PAGE}/pick", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")
