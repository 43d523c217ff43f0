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

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

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


def points_array(
    hf: npt.NDArray[np.int64],
    here: npt.NDArray[np.int64],
    star_gain: npt.NDArray[np.int64],
    weights: TrendingWeights,
) -> npt.NDArray[np.float64]:
    """What each paper's sources add up to before its age counts (a repository that lost
    stars adds nothing)."""
    stars = np.sqrt(np.maximum(star_gain, 0))
    return np.asarray(weights.hf * hf + weights.local * here + weights.stars * stars)


def score_array(
    points: npt.NDArray[np.float64],
    age_hours: npt.NDArray[np.float64],
    gravity: float,
    offset_hours: float,
) -> npt.NDArray[np.float64]:
    """Hacker News style: more points rank higher, and every paper sinks as it ages."""
    return np.asarray(points / (np.maximum(age_hours, 0.0) + offset_hours) ** gravity)


def signal_points(hf: int, here: int, star_gain: int, weights: TrendingWeights) -> float:
    """points_array for one paper."""
    one = np.array([hf, here, star_gain], dtype=np.int64)
    return float(points_array(one[:1], one[1:2], one[2:], weights)[0])


def trending_score(votes: float, age_hours: float, gravity: float, offset_hours: float) -> float:
    """score_array for one paper."""
    points = np.array([votes], dtype=np.float64)
    return float(score_array(points, np.array([age_hours]), gravity, offset_hours)[0])


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
