"""Storage for recommendations: "not interested" marks, the reader's seeds (saved and
upvoted papers) and the recent candidates. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from paperboy.errors import NotFound
from paperboy.store import Store
from tests.store.test_papers import rec


def ids(store: Store, *arxiv_ids: str) -> list[int]:
    found = store.papers.get_papers(arxiv_ids)
    return [found[a].id for a in arxiv_ids]


def test_not_interested_marks(store: Store) -> None:
    store.papers.upsert_papers([rec("2606.00001"), rec("2606.00002")])
    one, two = ids(store, "2606.00001", "2606.00002")
    ada = store.accounts.create_user("ada@example.org")
    bob = store.accounts.create_user("bob@example.org")
    first = datetime(2026, 6, 1, 12)
    store.recommend.mark_not_interested(ada.id, one, now=first)
    store.recommend.mark_not_interested(ada.id, one, now=datetime(2026, 6, 2))  # idempotent
    store.recommend.mark_not_interested(bob.id, two)
    assert store.recommend.not_interested_ids(ada.id) == {one: first}
    assert store.recommend.unmark_not_interested(ada.id, one) is True
    assert store.recommend.unmark_not_interested(ada.id, one) is False
    assert store.recommend.not_interested_ids(ada.id) == {}
    assert set(store.recommend.not_interested_ids(bob.id)) == {two}
    with pytest.raises(NotFound):
        store.recommend.mark_not_interested(ada.id, 999_999)


def test_seeds_are_saved_then_upvoted_papers_once_each(store: Store) -> None:
    store.papers.upsert_papers([rec(f"2606.0000{i}") for i in range(1, 5)])
    one, two, three, four = ids(store, *(f"2606.0000{i}" for i in range(1, 5)))
    ada = store.accounts.create_user("ada@example.org")
    store.library.save(ada.id, one, now=datetime(2026, 6, 1))
    store.library.save(ada.id, two, now=datetime(2026, 6, 3))
    store.votes.add_vote(ada.id, two, datetime(2026, 6, 4))  # saved and upvoted: counts as saved
    store.votes.add_vote(ada.id, three, datetime(2026, 6, 2))
    other = store.accounts.create_user("bob@example.org")
    store.votes.add_vote(other.id, four, datetime(2026, 6, 2))
    seeds = store.recommend.reader_seeds(ada.id)
    assert [(s.paper_id, s.kind) for s in seeds] == [
        (two, "saved"),
        (one, "saved"),
        (three, "upvoted"),
    ]
    assert seeds[0].at == datetime(2026, 6, 3)
    assert store.recommend.reader_seeds(store.accounts.create_user("cy@example.org").id) == []


def test_recent_papers_are_the_window_without_hidden_ones(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2606.00001", announced=date(2026, 6, 1)),
            rec("2606.00002", announced=date(2026, 6, 5)),
            rec("2606.00003", announced=date(2026, 6, 7)),
            rec("2606.00004", announced=date(2026, 6, 6)),
        ]
    )
    store.moderation.set_paper_hidden(ids(store, "2606.00004")[0], True)
    found = {
        r.arxiv_id: r.day for r in store.recommend.recent_papers(date(2026, 6, 2), date(2026, 6, 7))
    }
    assert found.get("2606.00002") == date(2026, 6, 5)
    assert found.get("2606.00003") == date(2026, 6, 7)
    assert "2606.00001" not in found  # before the window
    assert "2606.00004" not in found  # hidden by an admin
