"""The TL;DR where readers see it: listing rows, the paper page, the API's paper items
(feed, one paper, library, For you) and RSS/Atom summaries; Hugging Face's summary
instead, labelled, when there is one."""

from __future__ import annotations

import html
from datetime import date

import feedparser
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from paperboy.store import Store
from paperboy.store.hf import HfEntry
from paperboy.tldr import choose_tldr
from tests.accounts.conftest import mailbox as mailbox  # fixture
from tests.ingest.conftest import source_server as source_server  # fixture
from tests.store.test_papers import rec
from tests.web.test_library import api
from tests.web.test_library import app_and_clients as app_and_clients  # fixture
from tests.web.test_library import app_settings as app_settings  # fixture
from tests.web.test_library import reader as reader  # fixture

DAY = date(2026, 6, 30)
HF_SUMMARY = "A summary written by Hugging Face's model."


def day_papers(store: Store) -> list[tuple[str, str]]:
    """(arxiv id, expected TL;DR) of the papers listed on DAY."""
    papers = store.papers.feed(DAY, DAY, limit=50).papers
    return [(p.arxiv_id, choose_tldr(p.title, p.abstract) or "") for p in papers]


def give_hf_summary(store: Store, arxiv_id: str) -> None:
    paper = store.papers.get_paper(arxiv_id)
    assert paper is not None
    store.hf.save(
        [rec(arxiv_id, title=paper.title, abstract=paper.abstract, announced=paper.announced)],
        [HfEntry(arxiv_id, 0, ai_summary=HF_SUMMARY)],
        synced_at=None,
    )


def rows_by_id(page: str) -> dict[str, lxml_html.HtmlElement]:
    tree = lxml_html.fromstring(page)
    return {
        row.xpath(".//span[@class='arxiv-id']")[0].text_content(): row
        for row in tree.xpath("//li[contains(@class, 'paper-row')]")
    }


def test_every_row_shows_its_tldr_and_hf_summary_wins(
    client: TestClient, loaded_store: Store
) -> None:
    expected = day_papers(loaded_store)
    assert len(expected) == 13 and all(line for _, line in expected)
    hf_paper = expected[0][0]
    give_hf_summary(loaded_store, hf_paper)
    rows = rows_by_id(client.get(f"/day/{DAY.isoformat()}").text)
    assert set(rows) == {arxiv_id for arxiv_id, _ in expected}
    for arxiv_id, line in expected:
        (tldr,) = rows[arxiv_id].xpath(".//p[contains(@class, 'tldr')]")
        label = tldr.xpath("./span[@class='tldr-label']")[0].text_content()
        text = tldr.text_content().removeprefix(label).strip()
        if arxiv_id == hf_paper:
            assert label == "Summary by Hugging Face" and text == HF_SUMMARY
            assert "tldr-hf" in tldr.get("class")
        else:
            assert label == "TL;DR" and text == line
        # The full abstract is still there, folded, below the line.
        assert rows[arxiv_id].xpath(".//details[@class='abstract']")


def test_paper_page_shows_the_tldr(client: TestClient, loaded_store: Store) -> None:
    arxiv_id, line = day_papers(loaded_store)[1]
    tree = lxml_html.fromstring(client.get(f"/paper/{arxiv_id}").text)
    (tldr,) = tree.xpath("//article//p[contains(@class, 'tldr')]")
    assert tldr.text_content().endswith(line)
    # With HF's summary, the page shows HF's own labelled section, not a second line.
    give_hf_summary(loaded_store, arxiv_id)
    tree = lxml_html.fromstring(client.get(f"/paper/{arxiv_id}").text)
    assert not tree.xpath("//article//p[contains(@class, 'tldr')]")
    assert tree.xpath("//section[@class='hf-summary']/h2")[0].text == "Summary by Hugging Face"


def test_api_paper_items_carry_tldr(client: TestClient, loaded_store: Store) -> None:
    expected = dict(day_papers(loaded_store))
    hf_paper = next(iter(expected))
    give_hf_summary(loaded_store, hf_paper)
    feed = client.get("/api/feed", params={"view": "day", "date": DAY.isoformat(), "limit": 50})
    assert feed.status_code == 200
    items = {p["id"]: p for p in feed.json()["papers"]}
    assert set(items) == set(expected)
    for arxiv_id, line in expected.items():
        if arxiv_id == hf_paper:
            assert (items[arxiv_id]["tldr"], items[arxiv_id]["tldr_source"]) == (
                HF_SUMMARY,
                "huggingface",
            )
        else:
            assert (items[arxiv_id]["tldr"], items[arxiv_id]["tldr_source"]) == (line, "abstract")
    other = next(a for a in expected if a != hf_paper)
    one = client.get(f"/api/papers/{other}").json()
    assert (one["tldr"], one["tldr_source"]) == (expected[other], "abstract")


def test_feed_summaries_lead_with_the_tldr(client: TestClient, loaded_store: Store) -> None:
    expected = dict(day_papers(loaded_store))
    for suffix in ("atom", "rss"):
        parsed = feedparser.parse(client.get(f"/feeds/daily.{suffix}").content)
        assert not parsed.bozo and parsed.entries
        for entry in parsed.entries:
            arxiv_id = entry.link.rsplit("/", 1)[-1]
            # feedparser hands text summaries back escaped (a fixture title holds markup)
            assert html.unescape(entry.summary).startswith(f"TL;DR: {expected[arxiv_id]}")


def test_library_and_for_you_items_carry_tldr(reader: TestClient, loaded_store: Store) -> None:
    expected = dict(day_papers(loaded_store))
    arxiv_id = next(iter(expected))
    assert api(reader, "PUT", f"/api/library/{arxiv_id}", json={})[0] == 201
    status, page = api(reader, "GET", "/api/library")
    assert status == 200 and isinstance(page, dict)
    (item,) = page["items"]
    assert (item["paper"]["tldr"], item["paper"]["tldr_source"]) == (
        expected[arxiv_id],
        "abstract",
    )
    status, recs = api(reader, "GET", "/api/for-you")
    assert status == 200 and isinstance(recs, dict) and recs["papers"]
    for paper in recs["papers"]:
        stored = loaded_store.papers.get_paper(paper["id"])
        assert stored is not None
        assert paper["tldr"] == choose_tldr(stored.title, stored.abstract)


def test_search_rows_show_the_tldr(client: TestClient, loaded_store: Store) -> None:
    rows = rows_by_id(client.get("/search", params={"q": "learning"}).text)
    assert len(rows) >= 3
    for arxiv_id, row in rows.items():
        paper = loaded_store.papers.get_paper(arxiv_id)
        assert paper is not None
        (tldr,) = row.xpath(".//p[contains(@class, 'tldr')]")
        assert tldr.text_content().endswith(choose_tldr(paper.title, paper.abstract) or "")
