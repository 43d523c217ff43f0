"""GET /api/daily_papers answers Hugging Face's record shape: every key and JSON type of a
real HF record (tests/fixtures/hf-daily-papers-api.json), values from paperboy's data, HF's
limit/p pagination, and paperboy's own HF ingester reads the answer back."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperboy.ingest.formats import record_from_hf
from paperboy.ingest.hf import ingest_hf_file
from paperboy.store import Store

HF_FILE = Path(__file__).parents[1] / "fixtures" / "hf-daily-papers-api.json"
HF_RECORDS: list[dict[str, Any]] = json.loads(HF_FILE.read_text())
HF_DAY = "2024-02-28"  # submittedOnDailyAt of the three fixture records
DAY = "2026-06-30"  # the newest listing day of the 37 fixture papers (13 papers)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def json_type(value: object) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(
        type(value), "null"
    )


def assert_same_shape(ours: object, theirs: object, where: str = "record") -> None:
    """The same keys and JSON types at every level; lists by their first item."""
    assert json_type(ours) == json_type(theirs), (
        f"{where}: {json_type(ours)} != {json_type(theirs)}"
    )
    if isinstance(ours, dict) and isinstance(theirs, dict):
        assert set(ours) == set(theirs), f"{where}: keys {sorted(set(ours) ^ set(theirs))}"
        for key in theirs:
            assert_same_shape(ours[key], theirs[key], f"{where}.{key}")
    if isinstance(ours, list) and isinstance(theirs, list) and theirs:
        assert ours, f"{where}: empty list"
        for item in ours:
            assert_same_shape(item, theirs[0], f"{where}[]")


@pytest.fixture
def hf_store(loaded_store: Store) -> Store:
    """The fixture papers plus the three real HF records, as `paperboy ingest hf` loads them."""
    report = ingest_hf_file(loaded_store, HF_FILE)
    assert report.added == len(HF_RECORDS)
    return loaded_store


def paper_id(store: Store, arxiv_id: str) -> int:
    found = store.papers.get_paper(arxiv_id)
    assert found is not None
    return found.id


def test_every_field_of_a_real_hf_record_with_values_from_paperboy(
    client: TestClient, hf_store: Store
) -> None:
    first = HF_RECORDS[0]["paper"]["id"]
    pid = paper_id(hf_store, first)
    ada = hf_store.accounts.create_user("ada@example.org", role="curator", display_name="Ada L")
    bob = hf_store.accounts.create_user("bob@example.org")
    hf_store.votes.toggle_vote(bob.id, pid)
    hf_store.comments.add_comment(pid, bob.id, "Ternary weights!")
    hidden = hf_store.comments.add_comment(pid, bob.id, "spam")
    hf_store.comments.set_comment_hidden(hidden.id, True)
    hf_store.submissions.add_submission(pid, ada.id, now=datetime(2024, 2, 28, 9, 30, 1, 250_000))

    answer = client.get(f"/api/daily_papers?date={HF_DAY}")
    assert answer.status_code == 200 and answer.headers["x-total-count"] == "3"
    records = answer.json()
    # Most upvoted first, like the Hugging Face page.
    assert [r["paper"]["id"] for r in records] == [r["paper"]["id"] for r in HF_RECORDS]
    submitted, *from_feed = records
    assert_same_shape(submitted, HF_RECORDS[0])
    for ours, theirs in zip(from_feed, HF_RECORDS[1:], strict=True):
        assert ours["submittedBy"] is None  # documented: nobody on paperboy submitted it
        assert_same_shape({**ours, "submittedBy": theirs["submittedBy"]}, theirs)

    for ours, theirs in zip(records, HF_RECORDS, strict=True):
        paper, hf_paper = ours["paper"], theirs["paper"]
        assert paper["id"] == hf_paper["id"]
        assert paper["title"] == ours["title"]
        assert paper["title"].split() == hf_paper["title"].split()
        assert paper["summary"] == ours["summary"]  # stored with arXiv's hard breaks unwrapped
        assert paper["summary"].split() == hf_paper["summary"].split()
        assert [a["name"] for a in paper["authors"]] == [a["name"] for a in hf_paper["authors"]]
        assert all(re.fullmatch(r"[0-9a-f]{24}", a["_id"]) for a in paper["authors"])
        assert not any(a["hidden"] for a in paper["authors"])
        assert paper["publishedAt"] == ours["publishedAt"] == hf_paper["publishedAt"]
        assert TIMESTAMP.match(paper["submittedOnDailyAt"])
        assert paper["submittedOnDailyAt"].startswith(HF_DAY)
        assert re.fullmatch(r"[0-9a-f]{24}", paper["discussionId"])
        assert ours["thumbnail"] == theirs["thumbnail"]  # HF papers keep HF's thumbnail
        assert ours["isAuthorParticipating"] is False
    assert submitted["paper"]["upvotes"] == HF_RECORDS[0]["paper"]["upvotes"] + 1
    assert [r["paper"]["upvotes"] for r in from_feed] == [176, 84]
    assert [r["numComments"] for r in records] == [1, 0, 0]  # the hidden one does not count
    assert submitted["paper"]["submittedOnDailyAt"] == "2024-02-28T09:30:01.250Z"
    by = submitted["submittedBy"]
    assert (by["fullname"], by["name"], by["type"], by["isMod"]) == ("Ada L", "Ada L", "user", True)
    assert (by["avatarUrl"], by["isPro"], by["isHf"]) == ("", False, False)
    assert re.fullmatch(r"[0-9a-f]{24}", by["_id"]) and by["_id"] != str(ada.id)


def test_papers_from_arxiv_fill_what_they_have(client: TestClient) -> None:
    records = client.get(f"/api/daily_papers?date={DAY}&limit=100").json()
    assert len(records) == 13
    for record in records:
        assert_same_shape({**record, "submittedBy": HF_RECORDS[0]["submittedBy"]}, HF_RECORDS[0])
        assert record["thumbnail"] == "" and record["submittedBy"] is None
        assert record["paper"]["submittedOnDailyAt"] == f"{DAY}T00:00:00.000Z"
        assert TIMESTAMP.match(record["publishedAt"])


def test_pagination_like_hugging_face(client: TestClient) -> None:
    first = client.get(f"/api/daily_papers?date={DAY}&limit=5")
    assert first.headers["x-total-count"] == "13"
    assert first.headers["link"] == f'</api/daily_papers?date={DAY}&limit=5&p=1>; rel="next"'
    pages = [first.json()] + [
        client.get(f"/api/daily_papers?date={DAY}&limit=5&p={p}").json() for p in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [5, 5, 3, 0]
    ids = [r["paper"]["id"] for page in pages for r in page]
    assert len(set(ids)) == 13
    assert "link" not in client.get(f"/api/daily_papers?date={DAY}&limit=5&p=2").headers


def test_without_a_date_the_newest_day_and_empty_days_are_empty(client: TestClient) -> None:
    latest = client.get("/api/daily_papers?limit=100").json()
    assert {r["paper"]["submittedOnDailyAt"][:10] for r in latest} == {DAY}
    empty = client.get("/api/daily_papers?date=2026-07-04")
    assert empty.status_code == 200 and empty.json() == []
    for bad in (
        "2026-13-01",
        "2026-02-30",
        "yesterday",
        "0.0",
        "2026-06-30&limit=0",
        "2026-06-30&p=-1",
    ):
        answer = client.get(f"/api/daily_papers?date={bad}")
        assert answer.status_code == 422 and answer.json()["error"]["status"] == 422


def test_paperboys_own_hf_ingester_reads_the_answer_back(
    client: TestClient, hf_store: Store
) -> None:
    for day in (HF_DAY, DAY):
        for record in client.get(f"/api/daily_papers?date={day}&limit=100").json():
            parsed = record_from_hf(record)
            stored = hf_store.papers.get_paper(parsed.arxiv_id)
            assert stored is not None
            assert (parsed.title, parsed.announced) == (stored.title, date.fromisoformat(day))
            assert parsed.authors == stored.authors
            assert parsed.upvotes == record["paper"]["upvotes"]
