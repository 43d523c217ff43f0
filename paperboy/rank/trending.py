"""The trending score (see docs/ranking.md), shared by the trending pages, feeds and
digests."""

from __future__ import annotations


def trending_score(votes: int, age_hours: float, gravity: float, offset_hours: float) -> float:
    """Hacker News style: more votes rank higher, and every paper sinks as it ages."""
    return float(votes / (max(0.0, age_hours) + offset_hours) ** gravity)
