"""Follows: idempotent adds, the per-reader limit (all or nothing), removal; the recent
papers of followed names and categories; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from paperboy.store import Store
from paperboy.store.follows import FollowLimit
from tests.store.test_papers import rec


def test_add_remove_and_limit(store: Store) -> None:
    user = store.accounts.create_user("f@example.org")
    assert store.follows.add(user.id, [("author", "yann lecun", "Yann LeCun")], 3) == 1
    assert store.follows.add(user.id, [("author", "yann lecun", "Yann LeCUN")], 3) == 0
    assert store.follows.add(user.id, [("category", "cs.CL", "cs.CL")], 3) == 1
    with pytest.raises(FollowLimit):  # two more would make 4 > 3: neither goes in
        store.follows.add(user.id, [("search", "a", "a"), ("search", "b", "b")], 3)
    assert [f.value for f in store.follows.follows_of(user.id)] == ["Yann LeCun", "cs.CL"]
    assert store.follows.remove(user.id, "author", "yann lecun")
    assert not store.follows.remove(user.id, "author", "yann lecun")
    assert store.follows.count(user.id) == 1


def test_recent_papers_of_names_and_categories(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", authors=["Ada Lovelace"], announced=date(2025, 1, 6)),
            rec("2501.00002", authors=["Ada Lovelace"], announced=date(2024, 1, 6)),
            rec(
                "2501.00003",
                authors=["Grace Hopper"],
                categories=["math.PR"],
                announced=date(2025, 1, 7),
            ),
        ]
    )
    window = store.follows.window(date(2025, 1, 1))
    ids = {store.papers.get_paper(a).id: a for a in ("2501.00001", "2501.00003")}  # type: ignore[union-attr]
    assert sorted(window.values()) == [date(2025, 1, 6), date(2025, 1, 7)]
    ada = store.authors.match_names(["ada lovelace", "Nobody"])
    assert ada["Nobody"].names == {}
    found = store.follows.author_papers(ada["ada lovelace"].author_ids)
    assert len(found) == 2  # both of Ada's papers; the window is applied by the caller
    in_pr = store.follows.category_papers(["math.PR", "cs.LG"], sorted(window))
    assert sorted((ids[pid], cat) for pid, cat in in_pr) == [
        ("2501.00001", "cs.LG"),
        ("2501.00003", "math.PR"),
    ]
