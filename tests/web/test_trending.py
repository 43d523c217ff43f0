"""The trending score and ranking with hand-made votes at known times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from paperboy.errors import InvalidInput
from paperboy.feed.trending import TrendingWeights, load_trending, trending_score
from paperboy.store import Store
from tests.store.test_papers import rec

W = TrendingWeights()

NOW = datetime(2026, 7, 10, 12, 0)


def test_score_formula() -> None:
    assert trending_score(10, 0, 1.8, 2) == pytest.approx(10 / 2**1.8)
    assert trending_score(10, 22, 1.8, 2) == pytest.approx(10 / 24**1.8)
    assert trending_score(0, 5, 1.8, 2) == 0
    assert trending_score(5, -3, 1.8, 2) == trending_score(5, 0, 1.8, 2)  # clock skew
    # more votes win at equal age; a younger paper wins at equal votes
    assert trending_score(5, 10, 1.8, 2) > trending_score(4, 10, 1.8, 2)
    assert trending_score(5, 10, 1.8, 2) > trending_score(5, 30, 1.8, 2)


def test_ranking_follows_the_formula(sqlite_store: Store) -> None:
    store = sqlite_store
    store.papers.upsert_papers(
        [
            rec("2607.00001", announced=date(2026, 7, 10)),  # 12 h old, 3 votes
            rec("2607.00002", announced=date(2026, 7, 9)),  # 36 h old, 8 votes
            rec("2607.00003", announced=date(2026, 7, 4), upvotes=40),  # 6.5 d, 40 imported
            rec("2607.00004", announced=date(2026, 6, 1)),  # old, 2 votes this week
            rec("2607.00005", announced=date(2026, 7, 10)),  # new, no votes
        ]
    )
    users = [store.accounts.create_user(f"u{i}@example.org") for i in range(8)]

    def votes(arxiv_id: str, n: int, at: datetime) -> None:
        paper = store.papers.get_paper(arxiv_id)
        assert paper is not None
        for user in users[:n]:
            store.votes.add_vote(user.id, paper.id, at)

    votes("2607.00001", 3, NOW - timedelta(hours=2))
    votes("2607.00002", 8, NOW - timedelta(hours=30))
    votes("2607.00004", 2, NOW - timedelta(days=2))

    def ranked(window: int) -> list[tuple[str, int]]:
        found = load_trending(store, window=window, limit=10, weights=W, now=NOW)
        return [(t.paper.arxiv_id, t.upvotes) for t in found]

    # scores: 3/14^1.8 = 0.0262, 8/38^1.8 = 0.0111, 40/158^1.8 = 0.0044, 2/946^1.8 ~ 0
    assert ranked(7) == [
        ("2607.00001", 3),
        ("2607.00002", 8),
        ("2607.00003", 40),
        ("2607.00004", 2),
    ]
    # one day: papers announced on or after the window's first day (07-09; announcements
    # are days) or voted for since 07-09 12:00
    assert ranked(1) == [("2607.00001", 3), ("2607.00002", 8)]
    assert [a for a, _ in ranked(30)] == ["2607.00001", "2607.00002", "2607.00003", "2607.00004"]
    # no gravity: pure vote count
    flat = load_trending(store, window=7, limit=10, weights=TrendingWeights(gravity=0), now=NOW)
    assert [t.paper.arxiv_id for t in flat][:2] == ["2607.00003", "2607.00002"]
    assert len(load_trending(store, window=7, limit=2, weights=W, now=NOW)) == 2
    with pytest.raises(InvalidInput):
        load_trending(store, window=3, limit=10, weights=W, now=NOW)
