"""What the repositories of the store share: the engine, chunked ``IN (...)``, the
change counters, date columns read back, and the per-paper upvote counts.

Private to ``paperboy.store``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine, func, select, update

from paperboy.store.models import change_counters, papers, votes

T = TypeVar("T")
# SQLite allows 32,766 bound parameters and PostgreSQL 65,535; 500 keeps every
# ``IN (...)`` list far below both and the statements small.
IN_CHUNK = 500


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Repository:
    """One area of the schema (papers, votes, library...), on the store's shared engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def bump_counter(conn: Connection, name: str) -> None:
    """Count one more change of kind ``name`` (in the caller's transaction)."""
    c = change_counters
    conn.execute(update(c).where(c.c.name == name).values(value=c.c.value + 1))


def as_date(value: object) -> date | None:
    """A DATE column as read back (SQLite may hand over text or a datetime)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def upvote_counts(engine: Engine, paper_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Each paper's (imported upvotes, local votes), one query per 500 papers; a count is
    always computed from rows, never kept in a counter."""
    ids = list(dict.fromkeys(paper_ids))
    found: dict[int, tuple[int, int]] = {}
    with engine.connect() as conn:
        for chunk in chunked(ids):
            counted = (
                select(votes.c.paper_id, func.count().label("n"))
                .where(votes.c.paper_id.in_(chunk))
                .group_by(votes.c.paper_id)
                .subquery()
            )
            rows = conn.execute(
                select(papers.c.id, papers.c.imported_upvotes, counted.c.n)
                .select_from(papers.outerjoin(counted, counted.c.paper_id == papers.c.id))
                .where(papers.c.id.in_(chunk))
            )
            for pid, imported, n in rows:
                found[int(pid)] = (int(imported or 0), int(n or 0))
    return found


def paper_id_batches(engine: Engine, batch_size: int = 500) -> Iterator[list[int]]:
    """All paper ids in ascending batches, each read in its own short connection (the
    work list of a backfill that rewrites derived rows batch by batch)."""
    after = 0
    while True:
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(papers.c.id)
                    .where(papers.c.id > after)
                    .order_by(papers.c.id)
                    .limit(batch_size)
                ).scalars()
            )
        if not ids:
            return
        yield ids
        after = ids[-1]
