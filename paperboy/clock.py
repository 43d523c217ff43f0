"""The time every module agrees on: naive UTC, as the database stores it.

A leaf module: imported by every layer, imports nothing of paperboy's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (the columns are naive UTC on both databases)."""
    return datetime.now(UTC).replace(tzinfo=None)


@overload
def utc_naive(value: datetime) -> datetime: ...
@overload
def utc_naive(value: None) -> None: ...
def utc_naive(value: datetime | None) -> datetime | None:
    """An aware time converted to naive UTC; naive times and None pass through."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
