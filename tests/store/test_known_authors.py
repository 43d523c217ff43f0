"""A bulk ingest's cache of committed author ids (``KnownAuthors``, issue 14 item 7)
changes nothing that is stored, and a rolled-back batch's authors never enter it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from paperboy.store import Store
from paperboy.store.author_names import fold_name
from paperboy.store.authors import KnownAuthors
from paperboy.store.models import authors, paper_authors, papers
from tests.store.test_papers import rec

NAMES = [
    ["Ada Lovelace", "Alan Turing"],
    ["Alan Turing", "Grace Hopper", "Ada  Lovelace"],
    ["Grace Hopper", "Edsger Dijkstra"],
    ["Barbara Liskov", "Ada Lovelace", "Edsger Dijkstra"],
]


def stored(store: Store) -> tuple[list[Any], list[Any]]:
    """Authors in id order and (paper, position, author key) rows: ids themselves differ
    between the two runs on PostgreSQL, whose sequences do not restart."""
    with store.engine.connect() as conn:
        names = conn.execute(
            select(authors.c.key, authors.c.surname, authors.c.name).order_by(authors.c.id)
        ).all()
        links = conn.execute(
            select(papers.c.arxiv_id, paper_authors.c.position, authors.c.key)
            .join(papers, papers.c.id == paper_authors.c.paper_id)
            .join(authors, authors.c.id == paper_authors.c.author_id)
            .order_by(papers.c.arxiv_id, paper_authors.c.position)
        ).all()
    return [tuple(r) for r in names], [tuple(r) for r in links]


def ids_by_key(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(authors.c.id, authors.c.key))
        return {key: author_id for author_id, key in rows}


def test_batches_with_known_ids_store_what_batches_without_store(db_url: str) -> None:
    results = []
    for known in (KnownAuthors(), None):
        store = Store.open(db_url)
        for batch in range(2):
            records = [rec(f"2501.{batch}{i:04d}", authors=names) for i, names in enumerate(NAMES)]
            store.papers.upsert_papers(records, known=known)
        results.append(stored(store))
        if known is not None:
            assert known.ids == ids_by_key(store) and not known.pending  # all, committed
        with store.engine.begin() as conn:  # the second run starts from an empty store
            conn.execute(paper_authors.delete())
            conn.execute(authors.delete())
            conn.exec_driver_sql("DELETE FROM papers")
        store.close()
    assert results[0] == results[1]
    assert len(results[0][1]) == 2 * sum(len(names) for names in NAMES)


def test_a_rolled_back_batch_leaves_no_ids_behind(db_url: str) -> None:
    store = Store.open(db_url)
    known = KnownAuthors()
    unsaveable = ("harvest:test", {"position": object()})  # fails after the authors
    with pytest.raises(Exception, match="not JSON serializable"):
        store.papers.upsert_papers(
            [rec("2501.00001", authors=["Rolled Back"])], state=unsaveable, known=known
        )
    assert known.ids == {}
    store.papers.upsert_papers([rec("2501.00002", authors=["Kept Author"])], known=known)
    rows = ids_by_key(store)
    store.close()
    assert list(rows) == [fold_name("Kept Author")]
    assert known.ids == rows


def test_the_cache_stops_growing_at_its_limit() -> None:
    known = KnownAuthors(limit=2)
    known.pending.update({"a": 1, "b": 2, "c": 3})
    known.committed()
    assert known.ids == {"a": 1, "b": 2} and not known.pending
