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

The candidates are cached per store and window: the query runs for a window a little
longer than asked (CACHE_SLACK) and each request narrows it exactly in Python, so the
ranking is the one the query would give. A change marker (counters bumped by votes,
moderation and star snapshots, plus the papers' newest change) tells whether the cache
is current. When only votes moved and the vote log still holds them all, just the
papers those votes touched are read again (a few rows, not the window); anything else
runs the query again. The ranked answer is reused for up to RESULT_FRESH while the
marker stays (a vote anywhere shows at once; only the ages in the scores may lag).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from paperboy.clock import utcnow
from paperboy.errors import InvalidInput
from paperboy.rank.trending import TrendingWeights, age_hours, signal_points, trending_score
from paperboy.store import Store, StoredPaper
from paperboy.store.code import StarGain
from paperboy.store.votes import TrendingCandidate

WINDOWS = (1, 7, 30)
CACHE_SLACK = timedelta(minutes=15)
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
    with ``has_code``)."""
    check_window(window)
    now = now or utcnow()
    marker = store.votes.change_marker()
    key = (window, limit, weights, include_hidden, has_code)
    with _cache_lock:
        kept = _results.setdefault(store, {}).get(key)
    if kept is not None and kept[0] == marker and kept[1] <= now < kept[1] + RESULT_FRESH:
        return kept[2]
    cached = _candidates(store, window, now, marker)
    candidates = [c for c in cached.candidates if _in_window(c, now - timedelta(days=window))]
    if not include_hidden:
        hidden = store.moderation.hidden_paper_ids()
        candidates = [c for c in candidates if c.paper_id not in hidden]
    if has_code:
        candidates = [c for c in candidates if c.paper_id in cached.with_code]
    scored = []
    for c in candidates:
        gain = cached.gains.get(c.paper_id)
        points = signal_points(c.imported_upvotes, c.votes, gain.gain if gain else 0, weights)
        if points <= 0:
            continue
        age = age_hours(c.announced, c.first_seen, now)
        score = trending_score(points, age, weights.gravity, weights.offset_hours)
        scored.append((score, c.imported_upvotes + c.votes, age, points, c))
    scored.sort(key=lambda s: (-s[0], -s[1], -s[4].paper_id))
    top = scored[:limit]
    found = store.papers.get_papers_by_ids(s[4].paper_id for s in top)
    result = []
    for score, total, age, points, c in top:
        if c.paper_id not in found:
            continue
        gain = cached.gains.get(c.paper_id)
        days = (gain.until - gain.since).days if gain else 0
        result.append(
            TrendingPaper(
                found[c.paper_id],
                total,
                score,
                age,
                hf=c.imported_upvotes,
                here=c.votes,
                star_gain=gain.gain if gain else None,
                star_days=days,
                window=window,
                points=points,
            )
        )
    with _cache_lock:
        _results.setdefault(store, {})[key] = (marker, now, result)
    return result


@dataclass(frozen=True, slots=True)
class _Cached:
    marker: tuple[int, ...]
    window: int
    since: datetime  # the window start the candidate query ran with
    today: date  # the day the star gains end on
    candidates: list[TrendingCandidate]
    gains: dict[int, StarGain]  # paper id -> its official repository's gain
    with_code: set[int]  # candidates that link a code repository


_cache: weakref.WeakKeyDictionary[Store, dict[int, _Cached]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
# The answers themselves, reused for RESULT_FRESH while nothing changed: scores and ages
# move with the clock, so a reused list is at most that much older than the request.
_ResultKey = tuple[int, int, TrendingWeights, bool, bool]
_results: weakref.WeakKeyDictionary[
    Store, dict[_ResultKey, tuple[tuple[int, ...], datetime, list[TrendingPaper]]]
] = weakref.WeakKeyDictionary()


def _candidates(store: Store, window: int, now: datetime, marker: tuple[int, ...]) -> _Cached:
    """The window's candidates with their star gains, from the cache when it is current
    (or a few votes behind: then only the papers those votes touched are read again)."""
    since = now - timedelta(days=window)
    with _cache_lock:
        cached = _cache.setdefault(store, {}).get(window)
    fits = (
        cached is not None
        and cached.since <= since <= cached.since + CACHE_SLACK
        and cached.today == now.date()
    )
    if cached is not None and fits and cached.marker != marker:
        cached = _catch_up(store, cached, marker)
    if cached is None or not fits or cached.marker != marker:
        start = since - CACHE_SLACK / 2
        candidates = store.votes.trending_candidates(start)
        ids = [c.paper_id for c in candidates]
        cached = _Cached(
            marker,
            window,
            start,
            now.date(),
            candidates,
            store.code.official_star_gains(ids, window, today=now.date()),
            store.code.papers_with_code(ids),
        )
    with _cache_lock:
        _cache.setdefault(store, {})[window] = cached
    return cached


def _catch_up(store: Store, cached: _Cached, marker: tuple[int, ...]) -> _Cached | None:
    """The cache with the votes since its marker applied, or None when more than votes
    changed or the vote log no longer covers them. The marker's first number is the
    ``votes`` counter; the rest must not have moved."""
    if marker[1:] != cached.marker[1:]:
        return None
    touched = store.votes.vote_changes_between(cached.marker[0], marker[0])
    if touched is None:
        return None
    fresh = {c.paper_id: c for c in store.votes.candidates_for(touched)}
    kept = [c for c in cached.candidates if c.paper_id not in fresh]
    # A touched paper stays a candidate if the query would still return it: voted for
    # within the cached window, or of the window with some vote or upvote.
    added = [c for c in fresh.values() if _in_window(c, cached.since)]
    new_ids = [c.paper_id for c in added if c.paper_id not in cached.with_code]
    with_code = cached.with_code | store.code.papers_with_code(new_ids)
    gains = dict(cached.gains)
    missing = [c.paper_id for c in added if c.paper_id not in gains]
    if missing:
        gains.update(store.code.official_star_gains(missing, cached.window, today=cached.today))
    return replace(cached, marker=marker, candidates=kept + added, gains=gains, with_code=with_code)


def _in_window(c: TrendingCandidate, since: datetime) -> bool:
    """The candidate query's condition, for a ``since`` at or after the one it ran with
    (a paper in the cache only for its synced repository counts when announced since)."""
    if c.last_vote is not None and c.last_vote >= since:
        return True
    if c.announced is not None:
        return c.announced.date() >= since.date()
    return c.first_seen >= since
