"""What every repository of the store shares: the engine, and chunked ``IN (...)``.

Private to ``paperboy.store``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, Engine, update

from paperboy.store.models import change_counters

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
