"""Trending papers: upvotes and star gains with a time decay (see docs/ranking.md).

    points = hf_weight * HF upvotes + local_weight * local votes
             + star_weight * sqrt(stars gained in the window)
    score  = points / (age_hours + offset) ** gravity

``age_hours`` is the time since the paper was announced (midnight UTC of the
announcement day; the time it was first seen when it has no announcement date).
Candidates come from SQL (papers of the window with an upvote, a vote or a synced
official repository, and papers voted for within the window); star gains and the score
are computed here, in Python, over those candidates. A paper whose points are 0 never
appears.

The candidates are cached per store and window (``paperboy.feed.trending_cache``), and
the ranked answer is reused for up to RESULT_FRESH while the change marker stays (a
vote anywhere shows at once; only the ages in the scores may lag).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from paperboy.clock import utcnow
from paperboy.errors import InvalidInput
from paperboy.feed.trending_cache import candidates, seconds
from paperboy.rank.trending import TrendingWeights, points_array, score_array, trending_score
from paperboy.store import Store, StoredPaper

WINDOWS = (1, 7, 30)
RESULT_FRESH = timedelta(seconds=60)
_WINDOW_WORDS = {1: "today", 7: "this week", 30: "this month"}
__all__ = [
    "WINDOWS",
    "TrendingList",
    "TrendingPaper",
    "TrendingWeights",
    "check_window",
    "load_trending",
    "trending_list",
    "trending_score",
]


@dataclass(frozen=True, slots=True)
class TrendingPaper:
    paper: StoredPaper
    upvotes: int  # HF + local, as every listing shows them
    score: float
    age_hours: float
    hf: int = 0
    here: int = 0
    star_gain: int | None = None  # stars the official repository gained in the window
    star_days: int = 0  # the days that gain spans
    window: int = 7
    points: float = 0.0

    @property
    def why(self) -> str:
        """Where the paper's signal comes from, e.g. "HF 55 · ★ +340 this week · here 2"
        (only the sources that gave any)."""
        parts = [f"HF {self.hf}"] if self.hf else []
        if self.star_gain:
            parts.append(f"★ +{self.star_gain:,} {self.star_span}")
        if self.here:
            parts.append(f"here {self.here}")
        return " · ".join(parts)

    @property
    def star_span(self) -> str:
        """ "this week", or "in 3 days" when the snapshots cover less than the window."""
        if self.star_days >= self.window:
            return _WINDOW_WORDS.get(self.window, f"in {self.window} days")
        return "in 1 day" if self.star_days == 1 else f"in {self.star_days} days"


@dataclass(frozen=True, slots=True)
class TrendingList:
    """A trending answer. ``as_of`` is set when the window ending now held no signal
    and the ranking was computed as of the end of the newest day with HF upvotes."""

    papers: list[TrendingPaper]
    as_of: date | None = None


def trending_list(
    store: Store,
    *,
    window: int,
    limit: int,
    weights: TrendingWeights,
    now: datetime | None = None,
    include_hidden: bool = False,
    has_code: bool = False,
) -> TrendingList:
    """load_trending, but when the window ending ``now`` holds no paper with signal (a
    fresh demo: its HF counts are from 2023-24), the window ending at the newest day with
    signal instead: [as_of - window + 1, as_of], ages measured from the end of as_of."""
    now = now or utcnow()

    def ranked(at: datetime) -> list[TrendingPaper]:
        return load_trending(
            store,
            window=window,
            limit=limit,
            weights=weights,
            now=at,
            include_hidden=include_hidden,
            has_code=has_code,
        )

    found = ranked(now)
    if found or (has_code and not _window_is_empty(store, window, weights, now, include_hidden)):
        return TrendingList(found)
    day = store.hf.newest_signal_day()
    if day is None or day >= now.date():
        return TrendingList(found)
    older = ranked(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return TrendingList(older, as_of=day if older else None)


def _window_is_empty(
    store: Store, window: int, weights: TrendingWeights, now: datetime, include_hidden: bool
) -> bool:
    """Whether the window ending now has no paper with signal at all (a ``has_code``
    list can be empty while the window is not: that is no reason to go back in time)."""
    return not load_trending(
        store, window=window, limit=1, weights=weights, now=now, include_hidden=include_hidden
    )


def check_window(window: int) -> int:
    if window not in WINDOWS:
        raise InvalidInput(f"invalid window {window}: must be one of 1, 7, 30 (days)")
    return window


def load_trending(
    store: Store,
    *,
    window: int,
    limit: int,
    weights: TrendingWeights,
    now: datetime | None = None,
    include_hidden: bool = False,
    has_code: bool = False,
) -> list[TrendingPaper]:
    """The ``limit`` highest scoring papers of the last ``window`` days (papers hidden
    by an admin only with ``include_hidden``; only papers linking a code repository
    with ``has_code``). The score is ``paperboy.rank.trending``'s, on arrays."""
    check_window(window)
    now = now or utcnow()
    marker = store.votes.change_marker()
    key = (window, limit, weights, include_hidden, has_code, now.date())
    with _results_lock:
        kept = _results.setdefault(store, {}).get(key)
    if kept is not None and kept[0] == marker and kept[1] <= now < kept[1] + RESULT_FRESH:
        return kept[2]
    col = candidates(store, window, now, marker).columns
    rows = col.in_window(now - timedelta(days=window))
    if not include_hidden:
        hidden = store.moderation.hidden_paper_ids()
        if hidden:
            rows &= ~np.isin(col.ids, np.fromiter(hidden, dtype=np.int64))
    if has_code:
        rows &= col.coded
    points = points_array(col.hf, col.here, col.gain, weights)
    rows &= points > 0
    age = (seconds(now) - col.born) / 3600
    score = score_array(points, age, weights.gravity, weights.offset_hours)
    total = col.hf + col.here
    picked = np.nonzero(rows)[0]
    # Highest score first; ties: more upvotes, then the newer paper (higher id).
    order = picked[np.lexsort((-col.ids[picked], -total[picked], -score[picked]))][:limit]
    found = store.papers.get_papers_by_ids(int(col.ids[r]) for r in order)
    result = [
        TrendingPaper(
            found[int(col.ids[r])],
            int(total[r]),
            float(score[r]),
            float(age[r]),
            hf=int(col.hf[r]),
            here=int(col.here[r]),
            star_gain=int(col.gain[r]) if col.gain_days[r] >= 0 else None,
            star_days=max(0, int(col.gain_days[r])),
            window=window,
            points=float(points[r]),
        )
        for r in order
        if int(col.ids[r]) in found
    ]
    with _results_lock:
        answers = _results.setdefault(store, {})
        answers[key] = (marker, now, result)
        while len(answers) > 64:  # windows x limits x filters x days: keep it small
            answers.pop(next(iter(answers)))
    return result


# The answers themselves, reused for RESULT_FRESH while nothing changed: scores and ages
# move with the clock, so a reused list is at most that much older than the request.
_ResultKey = tuple[int, int, TrendingWeights, bool, bool, date]
_results: weakref.WeakKeyDictionary[
    Store, dict[_ResultKey, tuple[tuple[int, ...], datetime, list[TrendingPaper]]]
] = weakref.WeakKeyDictionary()
_results_lock = threading.Lock()
