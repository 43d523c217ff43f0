"""Trending's cache: a repeated request runs neither the candidate query nor the scan
for hidden papers, yet every change made through another process (another Store on
the same database) shows at once, and the ranking equals an uncached computation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import event, text

from paperboy.feed.trending import TrendingWeights, load_trending
from paperboy.store import Store
from tests.store.test_papers import rec

W = TrendingWeights()

NOW = datetime(2026, 7, 10, 12, 0)


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        seen.append(sql)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def ranked(store: Store, window: int = 7, now: datetime = NOW) -> list[tuple[str, int]]:
    found = load_trending(store, window=window, limit=10, weights=W, now=now)
    return [(t.paper.arxiv_id, t.upvotes) for t in found]


def _setup(store: Store) -> list[int]:
    store.papers.upsert_papers(
        [
            rec("2607.00001", announced=date(2026, 7, 10)),
            rec("2607.00002", announced=date(2026, 7, 9)),
            rec("2607.00003", announced=date(2026, 7, 4), upvotes=40),
            rec("2607.00004", announced=date(2026, 6, 1)),
        ]
    )
    users = [store.accounts.create_user(f"u{i}@example.org").id for i in range(8)]
    for n, (arxiv_id, hours) in enumerate([("2607.00001", 2), ("2607.00002", 30)]):
        paper = store.papers.get_paper(arxiv_id)
        assert paper is not None
        for user in users[: 3 + 5 * n]:
            store.votes.add_vote(user, paper.id, NOW - timedelta(hours=hours))
    return users


def test_repeated_trending_reads_only_the_change_marker(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        _setup(store)
        first = ranked(store)
        with statements(store) as seen:
            assert ranked(store) == first
        joined = "\n".join(seen).lower()
        assert "group by" not in joined  # no candidate query
        assert "hidden is 1" not in joined and "hidden is true" not in joined  # no scan
        assert len(seen) <= 5  # the marker, the hidden counter and the top papers
    finally:
        store.close()


def test_changes_from_another_process_show_at_once(db_url: str) -> None:
    reader, writer = Store.open(db_url), Store.open(db_url)
    try:
        users = _setup(writer)
        assert [a for a, _ in ranked(reader)][:2] == ["2607.00001", "2607.00002"]
        # Another process: five more votes for the third paper, then hides the first.
        third = writer.papers.get_paper("2607.00003")
        assert third is not None
        for user in users[:5]:
            writer.votes.toggle_vote(user, third.id, now=NOW - timedelta(hours=1))
        assert dict(ranked(reader))["2607.00003"] == 45
        first = writer.papers.get_paper("2607.00001")
        assert first is not None
        writer.moderation.set_paper_hidden(first.id, True)
        assert "2607.00001" not in dict(ranked(reader))
        assert first.id in reader.moderation.hidden_paper_ids()
        writer.moderation.set_paper_hidden(first.id, False)
        assert "2607.00001" in dict(ranked(reader))
        assert first.id not in reader.moderation.hidden_paper_ids()
        # A vote taken back.
        writer.votes.toggle_vote(users[0], third.id)
        assert dict(ranked(reader))["2607.00003"] == 44
    finally:
        reader.close()
        writer.close()


def test_cached_ranking_equals_a_fresh_one_as_time_passes(sqlite_url: str) -> None:
    cached = Store.open(sqlite_url)
    try:
        _setup(cached)
        # Minutes to days later: papers and votes age out of the window.
        for later in (0, 7, 14, 60 * 20, 60 * 24 * 5, 60 * 24 * 8):
            now = NOW + timedelta(minutes=later)
            fresh = Store.open(sqlite_url)
            try:
                for window in (1, 7, 30):
                    assert ranked(cached, window, now) == ranked(fresh, window, now)
            finally:
                fresh.close()
    finally:
        cached.close()


def test_new_votes_are_applied_without_the_candidate_query(db_url: str) -> None:
    """A process a few votes behind reads only the papers those votes touched, and its
    ranking is the one a fresh process computes: new candidates, taken-back votes and a
    paper whose only vote in the window was taken back included."""
    reader, writer = Store.open(db_url), Store.open(db_url)
    try:
        users = _setup(writer)
        writer.papers.upsert_papers([rec("2607.00005", announced=date(2026, 7, 10))])
        ranked(reader)
        ids = {a: writer.papers.get_paper(a) for a in ("2607.00002", "2607.00004", "2607.00005")}
        old, new, second = ids["2607.00004"], ids["2607.00005"], ids["2607.00002"]
        assert old is not None and new is not None and second is not None
        writer.votes.toggle_vote(users[0], new.id, now=NOW - timedelta(hours=1))  # new one
        writer.votes.toggle_vote(users[1], old.id, now=NOW - timedelta(hours=1))  # June's
        writer.votes.toggle_vote(users[2], second.id)  # taken back
        with statements(reader) as seen:
            after = ranked(reader)
        assert "imported_upvotes >" not in "\n".join(seen).lower()  # no candidate query
        fresh = Store.open(db_url)
        try:
            assert after == ranked(fresh)
        finally:
            fresh.close()
        assert dict(after)["2607.00005"] == 1 and dict(after)["2607.00004"] == 1
        assert dict(after)["2607.00002"] == 7
        # The June paper's only vote in the window taken back: it leaves the list.
        writer.votes.toggle_vote(users[1], old.id)
        assert "2607.00004" not in dict(ranked(reader))
    finally:
        reader.close()
        writer.close()


def test_a_cache_further_behind_than_the_vote_log_recomputes(sqlite_url: str) -> None:
    reader, writer = Store.open(sqlite_url), Store.open(sqlite_url)
    try:
        users = _setup(writer)
        ranked(reader)
        paper = writer.papers.get_paper("2607.00003")
        assert paper is not None
        for user in users[:4]:
            writer.votes.toggle_vote(user, paper.id, now=NOW - timedelta(hours=1))
        with writer.engine.begin() as conn:  # as if pruned: the log misses these votes
            conn.execute(text("DELETE FROM vote_changes"))
        with statements(reader) as seen:
            assert dict(ranked(reader))["2607.00003"] == 44
        assert "imported_upvotes >" in "\n".join(seen).lower()  # the full query ran
    finally:
        reader.close()
        writer.close()
