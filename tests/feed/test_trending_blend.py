"""The blended trending score: HF upvotes, local votes and GitHub star gains, each with
its weight, with the age decay; the "why" line; ``has_code``."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from paperboy.feed.trending import TrendingWeights, load_trending, trending_list
from paperboy.rank.trending import signal_points, trending_score
from paperboy.store import Store
from tests.store.test_papers import rec

NOW = datetime(2026, 7, 10, 12, 0)
W = TrendingWeights()


def _repo(store: Store, key: str, day: date, stars: int) -> None:
    store.code.record_repo(
        key,
        full_name=key,
        stars=stars,
        pushed_at=None,
        archived=False,
        description=None,
        license=None,
        etag=None,
        now=datetime.combine(day, datetime.min.time()) + timedelta(hours=3),
    )


def _setup(store: Store) -> None:
    """Three papers of 9 July: HF upvotes only; a repository gaining 400 stars this week
    and no upvote; both a repository and local votes. One of 1 July with code and
    upvotes, one with a repository that is not synced."""
    store.papers.upsert_papers(
        [
            rec("2607.00001", announced=date(2026, 7, 9), upvotes=12),
            rec(
                "2607.00002",
                announced=date(2026, 7, 9),
                abstract="Code: https://github.com/lab/fast-thing",
            ),
            rec(
                "2607.00003",
                announced=date(2026, 7, 9),
                abstract="Code at https://github.com/lab/slow-thing.",
            ),
            rec(
                "2607.00004",
                announced=date(2026, 7, 1),
                upvotes=30,
                abstract="https://gitlab.com/lab/old-thing",
            ),
        ]
    )
    store.code.add_snapshot("lab/fast-thing", date(2026, 7, 3), 1000)
    _repo(store, "lab/fast-thing", date(2026, 7, 10), 1400)
    _repo(store, "lab/slow-thing", date(2026, 7, 7), 50)
    _repo(store, "lab/slow-thing", date(2026, 7, 10), 59)
    third = store.papers.get_paper("2607.00003")
    assert third is not None
    for n in range(2):
        user = store.accounts.create_user(f"r{n}@example.org").id
        store.votes.add_vote(user, third.id, NOW - timedelta(hours=5))


def test_points_add_weighted_sources_with_the_square_root_of_star_gain() -> None:
    assert signal_points(55, 2, 400, W) == 55 + 2 + 20
    heavy = TrendingWeights(hf=0.5, local=3.0, stars=2.0)
    assert signal_points(10, 2, 9, heavy) == 5 + 6 + 6
    assert signal_points(10, 0, -5, W) == 10  # a repository that lost stars adds nothing


def test_star_gains_rank_papers_and_say_why(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _setup(store)
        found = load_trending(store, window=7, limit=10, weights=W, now=NOW)
        by_id = {t.paper.arxiv_id: t for t in found}
        # 400 stars in a week are worth sqrt(400) = 20 points, more than 12 HF upvotes.
        assert [t.paper.arxiv_id for t in found] == [
            "2607.00002",
            "2607.00001",
            "2607.00003",
        ]  # 2607.00004 is older than the window
        fast = by_id["2607.00002"]
        assert (fast.star_gain, fast.star_days, fast.upvotes, fast.points) == (400, 7, 0, 20.0)
        assert fast.why == "★ +400 this week"
        assert fast.score == trending_score(20.0, 36.0, W.gravity, W.offset_hours)
        slow = by_id["2607.00003"]
        assert slow.why == "★ +9 in 3 days · here 2"
        assert slow.points == 2 + math.sqrt(9)
        assert by_id["2607.00001"].why == "HF 12" and by_id["2607.00001"].star_gain is None
    finally:
        store.close()


def test_weights_come_from_the_settings_and_zero_ignores_a_source(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _setup(store)
        no_stars = TrendingWeights(stars=0.0)
        ids = [
            t.paper.arxiv_id
            for t in load_trending(store, window=7, limit=10, weights=no_stars, now=NOW)
        ]
        assert "2607.00002" not in ids  # stars were its only signal
        hf_heavy = TrendingWeights(hf=2.0)
        first = load_trending(store, window=7, limit=10, weights=hf_heavy, now=NOW)[0]
        assert first.paper.arxiv_id == "2607.00001"  # 24 points now beat 20
    finally:
        store.close()


def test_has_code_keeps_papers_that_link_a_repository(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _setup(store)
        coded = load_trending(store, window=30, limit=10, weights=W, now=NOW, has_code=True)
        assert [t.paper.arxiv_id for t in coded] == ["2607.00002", "2607.00003", "2607.00004"]
        # Hidden papers with code: the window keeps signal, the list with code is empty.
        for arxiv_id in ("2607.00002", "2607.00003"):
            paper = store.papers.get_paper(arxiv_id)
            assert paper is not None
            store.moderation.set_paper_hidden(paper.id, True)
        answer = trending_list(store, window=7, limit=10, weights=W, now=NOW, has_code=True)
        assert answer.papers == [] and answer.as_of is None
        assert trending_list(store, window=7, limit=10, weights=W, now=NOW).papers
    finally:
        store.close()


def test_a_new_star_snapshot_shows_at_once(db_url: str) -> None:
    reader, writer = Store.open(db_url), Store.open(db_url)
    try:
        _setup(writer)
        before = {
            t.paper.arxiv_id: t.star_gain
            for t in load_trending(reader, window=7, limit=10, weights=W, now=NOW)
        }
        assert before["2607.00003"] == 9
        _repo(writer, "lab/slow-thing", date(2026, 7, 10), 1059)  # a burst today
        after = load_trending(reader, window=7, limit=10, weights=W, now=NOW)
        assert after[0].paper.arxiv_id == "2607.00003" and after[0].star_gain == 1009
    finally:
        reader.close()
        writer.close()
