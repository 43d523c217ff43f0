"""The trending score (see docs/ranking.md), shared by the trending pages, feeds and
digests.

    points = hf_weight * HF upvotes + local_weight * local votes
             + star_weight * sqrt(stars gained in the window)
    score  = points / (age_hours + offset) ** gravity

Star gains enter as a square root: a repository gaining 400 stars in a week is a strong
signal, but counted one for one it would bury every paper that readers upvote (HF's top
papers of a day gather 50-300 upvotes; a popular repository gains thousands of stars).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from paperboy.config import Settings


@dataclass(frozen=True, slots=True)
class TrendingWeights:
    """The score's parameters; ``of(settings)`` reads them from the PAPERBOY_TRENDING_*
    settings."""

    gravity: float = 1.8
    offset_hours: float = 2.0
    hf: float = 1.0
    local: float = 1.0
    stars: float = 1.0

    @classmethod
    def of(cls, settings: Settings) -> TrendingWeights:
        return cls(
            gravity=settings.trending_gravity,
            offset_hours=settings.trending_offset_hours,
            hf=settings.trending_hf_weight,
            local=settings.trending_local_weight,
            stars=settings.trending_star_weight,
        )


def signal_points(hf: int, here: int, star_gain: int, weights: TrendingWeights) -> float:
    """What a paper's sources add up to before its age counts (see the module docstring)."""
    stars = math.sqrt(star_gain) if star_gain > 0 else 0.0
    return weights.hf * hf + weights.local * here + weights.stars * stars


def trending_score(votes: float, age_hours: float, gravity: float, offset_hours: float) -> float:
    """Hacker News style: more points rank higher, and every paper sinks as it ages."""
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
