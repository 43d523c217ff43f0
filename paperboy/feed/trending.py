"""Trending papers: votes with a time decay (see docs/ranking.md).

    score = votes / (age_hours + offset) ** gravity

``votes`` is imported + community upvotes, ``age_hours`` the time since the paper was
announced (midnight UTC of the announcement day; the time it was first seen when it has
no announcement date). Candidates come from SQL (papers of the window with at least one
vote or imported upvote, and papers voted for within the window); the score is computed
here, in Python, over those candidates.

The candidate query is cached per store and window: it is made for a window a little
longer than asked (CACHE_SLACK) and narrowed exactly in Python on each request, so the
ranking is the one the query would give. It is made again when the store's change
marker moves (a vote in any process, a paper hidden or shown, papers ingested) or the
cached window has drifted by more than the slack. The ranked answer itself is reused
for up to RESULT_FRESH while the marker stays (a vote anywhere shows at once; only the
papers' ages in the scores may lag by that much).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from paperboy.clock import utcnow
from paperboy.errors import InvalidInput
from paperboy.rank.trending import age_hours, trending_score
from paperboy.store import Store, StoredPaper
from paperboy.store.votes import TrendingCandidate

WINDOWS = (1, 7, 30)
CACHE_SLACK = timedelta(minutes=15)
RESULT_FRESH = timedelta(seconds=60)
__all__ = [
    "WINDOWS",
    "TrendingList",
    "TrendingPaper",
    "check_window",
    "load_trending",
    "trending_list",
    "trending_score",
]


@dataclass(frozen=True, slots=True)
class TrendingPaper:
    paper: StoredPaper
    upvotes: int
    score: float
    age_hours: float
    hf: int = 0
    here: int = 0

    @property
    def why(self) -> str:
        """Where the upvotes come from, e.g. "HF 55 · here 2" (only the sources that
        gave any)."""
        parts = [f"HF {self.hf}"] if self.hf else []
        if self.here:
            parts.append(f"here {self.here}")
        return " · ".join(parts)


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
    gravity: float,
    offset_hours: float,
    now: datetime | None = None,
    include_hidden: bool = False,
) -> TrendingList:
    """load_trending, but when the window ending ``now`` holds no upvoted paper (a fresh
    demo: its HF counts are from 2023-24), the window ending at the newest day with
    signal instead: [as_of - window + 1, as_of], ages measured from the end of as_of."""
    now = now or utcnow()

    def ranked(at: datetime) -> list[TrendingPaper]:
        return load_trending(
            store,
            window=window,
            limit=limit,
            gravity=gravity,
            offset_hours=offset_hours,
            now=at,
            include_hidden=include_hidden,
        )

    found = ranked(now)
    if found:
        return TrendingList(found)
    day = store.hf.newest_signal_day()
    if day is None or day >= now.date():
        return TrendingList(found)
    older = ranked(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return TrendingList(older, as_of=day if older else None)


def check_window(window: int) -> int:
    if window not in WINDOWS:
        raise InvalidInput(f"invalid window {window}: must be one of 1, 7, 30 (days)")
    return window


def load_trending(
    store: Store,
    *,
    window: int,
    limit: int,
    gravity: float,
    offset_hours: float,
    now: datetime | None = None,
    include_hidden: bool = False,
) -> list[TrendingPaper]:
    """The ``limit`` highest scoring papers of the last ``window`` days (papers hidden
    by an admin only with ``include_hidden``)."""
    check_window(window)
    now = now or utcnow()
    marker = store.votes.change_marker()
    key = (window, limit, gravity, offset_hours, include_hidden)
    with _cache_lock:
        kept = _results.setdefault(store, {}).get(key)
    if kept is not None and kept[0] == marker and kept[1] <= now < kept[1] + RESULT_FRESH:
        return kept[2]
    candidates = _candidates(store, window, now - timedelta(days=window), marker)
    if not include_hidden:
        hidden = store.moderation.hidden_paper_ids()
        candidates = [c for c in candidates if c.paper_id not in hidden]
    scored = []
    for c in candidates:
        total = c.imported_upvotes + c.votes
        age = age_hours(c.announced, c.first_seen, now)
        scored.append((trending_score(total, age, gravity, offset_hours), total, age, c))
    scored.sort(key=lambda s: (-s[0], -s[1], -s[3].paper_id))
    top = scored[:limit]
    found = store.papers.get_papers_by_ids(s[3].paper_id for s in top)
    result = [
        TrendingPaper(found[c.paper_id], total, score, age, c.imported_upvotes, c.votes)
        for score, total, age, c in top
        if c.paper_id in found
    ]
    with _cache_lock:
        _results.setdefault(store, {})[key] = (marker, now, result)
    return result


@dataclass(frozen=True, slots=True)
class _Cached:
    marker: tuple[int, ...]
    since: datetime
    candidates: list[TrendingCandidate]


_cache: weakref.WeakKeyDictionary[Store, dict[int, _Cached]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
# The answers themselves, reused for RESULT_FRESH while nothing changed: scores and ages
# move with the clock, so a reused list is at most that much older than the request.
_ResultKey = tuple[int, int, float, float, bool]
_results: weakref.WeakKeyDictionary[
    Store, dict[_ResultKey, tuple[tuple[int, ...], datetime, list[TrendingPaper]]]
] = weakref.WeakKeyDictionary()


def _candidates(
    store: Store, window: int, since: datetime, marker: tuple[int, ...]
) -> list[TrendingCandidate]:
    """store.votes.trending_candidates(since), from the cache when it is current."""
    with _cache_lock:
        cached = _cache.setdefault(store, {}).get(window)
    if (
        cached is None
        or cached.marker != marker
        or not cached.since <= since <= cached.since + CACHE_SLACK
    ):
        start = since - CACHE_SLACK / 2
        cached = _Cached(marker, start, store.votes.trending_candidates(start))
        with _cache_lock:
            _cache.setdefault(store, {})[window] = cached
    return [c for c in cached.candidates if _in_window(c, since)]


def _in_window(c: TrendingCandidate, since: datetime) -> bool:
    """The candidate query's condition, for a ``since`` later than the one it ran with."""
    if c.last_vote is not None and c.last_vote >= since:
        return True
    if c.announced is not None:
        recent = c.announced.date() >= since.date()
    else:
        recent = c.first_seen >= since
    return recent and (c.imported_upvotes > 0 or c.votes > 0)
