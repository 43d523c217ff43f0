"""Upvotes shown with their source: the API's ``upvotes_by_source`` and ``hf`` object,
the rows' breakdown and the paper page's Hugging Face block."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.testclient import TestClient

from paperboy.store import Store
from paperboy.store.hf import HfEntry
from tests.store.test_papers import rec

PAPER = "2403.05530"


def seed(store: Store, *, summary: str | None = "HF's summary <b>x</b>") -> None:
    entry = HfEntry(
        PAPER,
        upvotes=55,
        comments=4,
        submitter="akhaliq",
        submitter_name="AK",
        featured_on=date(2024, 3, 12),
        github_repo="https://github.com/example/repo",
        project_page="https://example.org/p",
        ai_summary=summary,
        ai_keywords=["agents"],
    )
    store.hf.save(
        [rec(PAPER, upvotes=55, announced=date(2024, 3, 12)), rec("2403.09999")],
        [entry],
        synced_at=datetime(2024, 3, 13, 8, 0),
    )
    paper = store.papers.get_paper(PAPER)
    assert paper is not None
    for email in ("ada@example.org", "bob@example.org"):
        user = store.accounts.create_user(email)
        store.votes.add_vote(user.id, paper.id, datetime(2024, 3, 13))


def test_api_paper_carries_the_breakdown_and_hf_data(
    empty_client: TestClient, sqlite_store: Store
) -> None:
    seed(sqlite_store)
    body = empty_client.get(f"/api/papers/{PAPER}").json()
    assert body["upvotes"] == 57
    assert body["upvotes_by_source"] == {"hf": 55, "here": 2}
    hf = body["hf"]
    assert hf["url"] == f"https://huggingface.co/papers/{PAPER}"
    assert (hf["upvotes"], hf["comments"], hf["submitter"]) == (55, 4, "akhaliq")
    assert hf["featured_on"] == "2024-03-12"
    assert hf["github_repo"] == "https://github.com/example/repo"
    assert hf["ai_keywords"] == ["agents"]
    assert hf["synced_at"] == "2024-03-13T08:00:00"

    plain = empty_client.get("/api/papers/2403.09999").json()
    assert plain["upvotes_by_source"] == {"hf": 0, "here": 0} and plain["hf"] is None

    feed = empty_client.get("/api/feed", params={"view": "day", "date": "2024-03-12"}).json()
    (item,) = [p for p in feed["papers"] if p["id"] == PAPER]
    assert item["upvotes"] == 57 and item["upvotes_by_source"] == {"hf": 55, "here": 2}


def test_paper_page_and_rows_show_where_counts_come_from(
    empty_client: TestClient, sqlite_store: Store
) -> None:
    seed(sqlite_store)
    page = empty_client.get(f"/paper/{PAPER}").text
    assert "▲ 57: HF 55 · here 2" in page
    assert 'title="57 upvotes: HF 55 · here 2"' in page
    assert f'href="https://huggingface.co/papers/{PAPER}"' in page
    assert 'Daily papers, <time datetime="2024-03-12">12 Mar</time>' in page
    assert 'href="https://huggingface.co/akhaliq"' in page and ">AK</a>" in page
    assert "4 comments on HF" in page
    assert "Summary by Hugging Face" in page
    assert "HF&#39;s summary &lt;b&gt;x&lt;/b&gt;" in page  # escaped, never HTML
    assert "Written by Hugging Face's AI" in page

    day = empty_client.get("/day/2024-03-12").text
    assert 'title="57 upvotes: HF 55 · here 2"' in day

    other = empty_client.get("/paper/2403.09999").text
    assert "Hugging Face daily papers" not in other and 'title="upvotes"' in other


def test_no_summary_no_summary_block(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store, summary=None)
    page = empty_client.get(f"/paper/{PAPER}").text
    assert "Summary by Hugging Face" not in page and "Daily papers" in page
