"""RSS and Atom items carry the paper's official code link (Atom: a ``related`` link;
RSS: a "Code:" line in the description), read back with feedparser."""

from __future__ import annotations

from datetime import date

import feedparser
from fastapi.testclient import TestClient

from paperboy.store import Store
from tests.store.test_papers import rec

DAY = date(2024, 3, 12)


def seed(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2403.00001", comment="Code: https://github.com/Example/Repo.git", announced=DAY),
            rec("2403.00002", abstract="No code here.", announced=DAY),
        ]
    )


def test_daily_feeds_carry_the_code_link(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store)
    atom = feedparser.parse(empty_client.get("/feeds/daily.atom").content)
    assert not atom.bozo
    by_id = {e.link.rsplit("/", 1)[-1]: e for e in atom.entries}
    related = [lk for lk in by_id["2403.00001"].links if lk.rel == "related"]
    assert [(lk.href, lk.get("title")) for lk in related] == [
        ("https://github.com/Example/Repo", "Code")
    ]
    assert [lk.rel for lk in by_id["2403.00002"].links] == ["alternate"]

    rss = feedparser.parse(empty_client.get("/feeds/daily.rss").content)
    assert not rss.bozo
    items = {e.link.rsplit("/", 1)[-1]: e for e in rss.entries}
    assert items["2403.00001"].summary.endswith("Code: https://github.com/Example/Repo")
    assert "Code:" not in items["2403.00002"].summary


def test_category_feed_carries_it_too(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store)
    atom = feedparser.parse(empty_client.get("/feeds/category/cs.LG.atom").content)
    hrefs = {lk.href for e in atom.entries for lk in e.links if lk.rel == "related"}
    assert hrefs == {"https://github.com/Example/Repo"}
