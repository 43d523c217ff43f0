"""Votes in the store: toggling, batch lookups, trending candidates and concurrency.
Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from paperboy.errors import NotFound
from paperboy.store import Store
from tests.store.test_papers import rec


def paper_id(store: Store, arxiv_id: str) -> int:
    found = store.papers.get_paper(arxiv_id)
    assert found is not None
    return found.id


def test_toggle_on_and_off_counts_imported_upvotes(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001", upvotes=5), rec("2501.00002")])
    pid = paper_id(store, "2501.00001")
    ada = store.accounts.create_user("ada@example.org")
    bob = store.accounts.create_user("bob@example.org")
    assert store.votes.vote_totals([pid]) == {pid: 5}
    on = store.votes.toggle_vote(ada.id, pid)
    assert (on.upvotes, on.voted) == (6, True)
    assert store.votes.toggle_vote(bob.id, pid).upvotes == 7
    off = store.votes.toggle_vote(ada.id, pid)
    assert (off.upvotes, off.voted) == (6, False)
    other = paper_id(store, "2501.00002")
    assert store.votes.vote_totals([pid, other]) == {pid: 6, other: 0}
    assert store.votes.voted_by(bob.id, [pid, other]) == {pid}
    assert store.votes.voted_by(ada.id, [pid, other]) == set()


def test_voting_for_an_unknown_paper_is_not_found(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    with pytest.raises(NotFound):
        store.votes.toggle_vote(ada.id, 999_999)


def test_deleting_an_account_removes_its_votes(store: Store) -> None:
    from sqlalchemy import delete

    from paperboy.store.models import users

    store.papers.upsert_papers([rec("2501.00001")])
    pid = paper_id(store, "2501.00001")
    ada = store.accounts.create_user("ada@example.org")
    store.votes.toggle_vote(ada.id, pid)
    with store.engine.begin() as conn:
        conn.execute(delete(users).where(users.c.id == ada.id))
    assert store.votes.vote_totals([pid]) == {pid: 0}


def test_sort_by_votes_and_vote_times(store: Store) -> None:
    store.papers.upsert_papers(
        [rec("2501.00001", upvotes=1), rec("2501.00002"), rec("2501.00003", upvotes=3)]
    )
    ids = {a: paper_id(store, a) for a in ("2501.00001", "2501.00002", "2501.00003")}
    at = datetime(2025, 1, 7, 12)
    for i in range(4):
        user = store.accounts.create_user(f"u{i}@example.org")
        store.votes.add_vote(user.id, ids["2501.00002"], at + timedelta(hours=i))
    day = date(2025, 1, 6)
    newest = store.papers.feed(day, day)
    assert [p.arxiv_id for p in newest.papers] == ["2501.00003", "2501.00002", "2501.00001"]
    by_votes = store.papers.feed(day, day, sort="votes")
    assert [p.arxiv_id for p in by_votes.papers] == ["2501.00002", "2501.00003", "2501.00001"]
    times = store.votes.vote_days(ids.values(), at + timedelta(hours=2))
    assert sorted(times[ids["2501.00002"]]) == [at + timedelta(hours=2), at + timedelta(hours=3)]
    assert ids["2501.00001"] not in times


def test_trending_candidates_of_a_window(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", announced=date(2025, 1, 6), upvotes=2),  # recent, imported
            rec("2501.00002", announced=date(2025, 1, 6)),  # recent, no votes
            rec("2401.00003", announced=date(2024, 1, 6)),  # old, voted recently
            rec("2401.00004", announced=date(2024, 1, 6), upvotes=9),  # old, not voted
        ]
    )
    ada = store.accounts.create_user("ada@example.org")
    store.votes.add_vote(ada.id, paper_id(store, "2401.00003"), datetime(2025, 1, 7))
    found = store.votes.trending_candidates(datetime(2025, 1, 1))
    got = {c.paper_id: (c.imported_upvotes, c.votes) for c in found}
    assert got == {paper_id(store, "2501.00001"): (2, 0), paper_id(store, "2401.00003"): (0, 1)}


def test_concurrent_toggles_from_100_accounts_leave_the_right_count(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001", upvotes=3)])
    pid = paper_id(store, "2501.00001")
    accounts = [store.accounts.create_user(f"reader{i}@example.org").id for i in range(100)]
    # Ten accounts have voted already: their toggle takes the vote back.
    for uid in accounts[:10]:
        store.votes.toggle_vote(uid, pid)
    assert store.votes.vote_totals([pid]) == {pid: 13}
    start = threading.Barrier(100)
    errors: list[BaseException] = []

    def toggle(uid: int) -> None:
        try:
            start.wait()
            store.votes.toggle_vote(uid, pid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=toggle, args=(uid,)) for uid in accounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.votes.vote_totals([pid]) == {pid: 3 + 90}
    assert store.votes.voted_by(accounts[0], [pid]) == set()
    assert store.votes.voted_by(accounts[50], [pid]) == {pid}


def test_concurrent_double_toggles_of_one_account_cancel_out(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001")])
    pid = paper_id(store, "2501.00001")
    accounts = [store.accounts.create_user(f"reader{i}@example.org").id for i in range(20)]
    start = threading.Barrier(40)
    errors: list[BaseException] = []

    def toggle(uid: int) -> None:
        try:
            start.wait()
            store.votes.toggle_vote(uid, pid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=toggle, args=(uid,)) for uid in accounts * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.votes.vote_totals([pid]) == {pid: 0}
