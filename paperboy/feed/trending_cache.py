"""Trending's candidates, cached per store and window as columns (numpy arrays), so a
request narrows, scores and ranks tens of thousands of candidates in a few
milliseconds (a loop over Python objects took ~100 ms for the 28k candidates of a busy
30-day window; see docs/ranking.md for the figures).

The candidate query runs for a window a little longer than asked (CACHE_SLACK); a
request narrows it exactly (``in_window``), so the ranking is the one the query would
give. A change marker (counters bumped by votes, moderation and star snapshots, plus the
papers' newest change) says whether the cache is current. When only votes moved and the
vote log still holds them all, just the papers those votes touched are read again;
anything else runs the query again.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from paperboy.store import Store
from paperboy.store.code import StarGain
from paperboy.store.votes import TrendingCandidate

CACHE_SLACK = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def seconds(at: datetime) -> float:
    """A naive UTC datetime as seconds since the epoch (the columns' time unit)."""
    return (at - _EPOCH).total_seconds()


@dataclass(frozen=True, slots=True)
class Columns:
    """One row per candidate paper."""

    ids: Ints
    hf: Ints  # imported (Hugging Face) upvotes
    here: Ints  # local votes, all time
    born: Floats  # announcement midnight, or first seen when not announced
    announced: Bools  # whether ``born`` is an announcement day
    last_vote: Floats  # the newest local vote, -inf without one
    gain: Ints  # stars the official repository gained (0 without one)
    gain_days: Ints  # days that gain spans (-1: no synced repository)
    coded: Bools  # links a code repository

    @classmethod
    def of(
        cls, candidates: list[TrendingCandidate], gains: dict[int, StarGain], with_code: set[int]
    ) -> Columns:
        def gain_of(pid: int) -> tuple[int, int]:
            g = gains.get(pid)
            return (g.gain, (g.until - g.since).days) if g is not None else (0, -1)

        star = [gain_of(c.paper_id) for c in candidates]
        return cls(
            ids=np.array([c.paper_id for c in candidates], dtype=np.int64),
            hf=np.array([c.imported_upvotes for c in candidates], dtype=np.int64),
            here=np.array([c.votes for c in candidates], dtype=np.int64),
            born=np.array(
                [seconds(c.announced or c.first_seen) for c in candidates], dtype=np.float64
            ),
            announced=np.array([c.announced is not None for c in candidates], dtype=np.bool_),
            last_vote=np.array(
                [seconds(c.last_vote) if c.last_vote else -np.inf for c in candidates],
                dtype=np.float64,
            ),
            gain=np.array([g for g, _ in star], dtype=np.int64),
            gain_days=np.array([d for _, d in star], dtype=np.int64),
            coded=np.array([c.paper_id in with_code for c in candidates], dtype=np.bool_),
        )

    def in_window(self, since: datetime) -> Bools:
        """The candidate query's condition, for a ``since`` at or after the one it ran
        with: voted for since then, or announced on or after its day (first seen since
        then, when not announced)."""
        midnight = seconds(datetime.combine(since.date(), datetime.min.time()))
        recent = np.where(self.announced, self.born >= midnight, self.born >= seconds(since))
        return np.asarray((self.last_vote >= seconds(since)) | recent, dtype=np.bool_)

    def without(self, paper_ids: list[int]) -> Columns:
        keep = ~np.isin(self.ids, np.array(paper_ids, dtype=np.int64))
        return self.take(keep)

    def take(self, rows: Bools) -> Columns:
        return Columns(*(getattr(self, f)[rows] for f in self.__slots__))

    def plus(self, other: Columns) -> Columns:
        return Columns(
            *(np.concatenate([getattr(self, f), getattr(other, f)]) for f in self.__slots__)
        )


@dataclass(frozen=True, slots=True)
class Cached:
    marker: tuple[int, ...]
    window: int
    since: datetime  # the window start the candidate query ran with
    today: date  # the day the star gains end on
    columns: Columns


# Per store, keyed by (window, the day ``now`` falls on): trending "as of" an older day
# and trending now then keep an entry each instead of evicting each other.
_cache: weakref.WeakKeyDictionary[Store, dict[tuple[int, date], Cached]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()
_KEPT_PER_STORE = 8


def candidates(store: Store, window: int, now: datetime, marker: tuple[int, ...]) -> Cached:
    """The window's candidates with their star gains, from the cache when it is current
    (or a few votes behind: then only the papers those votes touched are read again)."""
    since = now - timedelta(days=window)
    key = (window, now.date())
    with _cache_lock:
        cached = _cache.setdefault(store, {}).get(key)
    fits = (
        cached is not None
        and cached.since <= since <= cached.since + CACHE_SLACK
        and cached.today == now.date()
    )
    if cached is not None and fits and cached.marker != marker:
        cached = _catch_up(store, cached, marker)
    if cached is None or not fits or cached.marker != marker:
        start = since - CACHE_SLACK / 2
        cached = Cached(marker, window, start, now.date(), _read(store, start, window, now))
    with _cache_lock:
        kept = _cache.setdefault(store, {})
        kept[key] = cached
        while len(kept) > _KEPT_PER_STORE:
            kept.pop(next(iter(kept)))
    return cached


def _read(store: Store, start: datetime, window: int, now: datetime) -> Columns:
    found = store.votes.trending_candidates(start)
    ids = [c.paper_id for c in found]
    gains = store.code.official_star_gains(ids, window, today=now.date())
    return Columns.of(found, gains, store.code.papers_with_code(ids))


def _catch_up(store: Store, cached: Cached, marker: tuple[int, ...]) -> Cached | None:
    """The cache with the votes since its marker applied, or None when more than votes
    changed or the vote log no longer covers them. The marker's first number is the
    ``votes`` counter; the rest must not have moved."""
    if marker[1:] != cached.marker[1:]:
        return None
    touched = store.votes.vote_changes_between(cached.marker[0], marker[0])
    if touched is None:
        return None
    fresh = store.votes.candidates_for(touched)
    ids = [c.paper_id for c in fresh]
    gains = store.code.official_star_gains(ids, cached.window, today=cached.today)
    added = Columns.of(fresh, gains, store.code.papers_with_code(ids))
    # A touched paper stays a candidate if the query would still return it.
    added = added.take(added.in_window(cached.since))
    return replace(cached, marker=marker, columns=cached.columns.without(touched).plus(added))
