"""The trending score (see docs/ranking.md), shared by the trending pages, feeds and
digests."""

from __future__ import annotations

from datetime import date, datetime


def trending_score(votes: int, age_hours: float, gravity: float, offset_hours: float) -> float:
    """Hacker News style: more votes rank higher, and every paper sinks as it ages."""
    return float(votes / (max(0.0, age_hours) + offset_hours) ** gravity)


def age_hours(announced: date | None, first_seen: datetime, now: datetime) -> float:
    """A paper's age for the score: since midnight UTC of its announcement day, or since
    it was first seen when it has no announcement date."""
    if announced is None:
        born = first_seen
    elif isinstance(announced, datetime):
        born = announced
    else:
        born = datetime.combine(announced, datetime.min.time())
    return (now - born).total_seconds() / 3600
