"""Maps as derived data: built per period, cached in the database (``store.maps``),
rebuilt when their fingerprint no longer matches the period's papers and embeddings.

A request never waits long for a map: a period of at most ``map_sync_papers`` embedded
papers (a few seconds of work) is computed at once when its cached map is missing or
stale; a larger one is handed to the background ``MapBuilder`` of `paperboy serve`
(or built by `paperboy map build`), and the page shows the stale map meanwhile, or says
that the map is being built."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from paperboy.config import Settings
from paperboy.feed.periods import Period, period_containing
from paperboy.maps.build import MapInputs, compute_map, fingerprint
from paperboy.maps.periods import map_key, parse_map_period, previous_period
from paperboy.search.embed import DIM
from paperboy.search.service import model_key
from paperboy.store import Store

log = logging.getLogger("paperboy.maps")
Status = Literal["ready", "stale", "building", "empty", "no-papers"]


class BuildQueue(Protocol):
    """What ``load_map`` needs of a background builder: somewhere to ask for a map."""

    def request(self, period: Period) -> None: ...


@dataclass(frozen=True, slots=True)
class MapView:
    """A map as a page or the API shows it."""

    period: Period | None
    key: str
    status: Status
    payload: dict[str, Any] | None  # the cached map (a stale one while it is rebuilt)
    embedded: int  # visible papers of the period with an embedding, now
    missing: int  # visible papers of the period without one, now (not on the map)
    built_at: datetime | None
    previous_key: str | None
    next_key: str | None


@dataclass(frozen=True, slots=True)
class BuildResult:
    key: str
    papers: int
    missing: int
    clusters: int
    rising: int
    seconds: float
    rebuilt: bool  # False: the cached map was current


# Periods a request of this process is building now: a second request for the same map
# does not build it again (on a fresh demo, embeddings arriving change the fingerprint
# every few seconds, and every reader would otherwise rebuild the same map).
_building: set[str] = set()
_building_lock = threading.Lock()


def _claim(key: str) -> bool:
    with _building_lock:
        if key in _building:
            return False
        _building.add(key)
        return True


def _release(key: str) -> None:
    with _building_lock:
        _building.discard(key)


def map_model(settings: Settings) -> str:
    return model_key(settings.embedding_runtime)


def _signatures(store: Store, model: str, period: Period) -> tuple[str, int, int]:
    """(fingerprint, embedded papers, papers without an embedding) of ``period``."""
    current, missing = store.maps.inputs_signature(model, period.start, period.end)
    before = previous_period(period)
    previous, _ = store.maps.inputs_signature(model, before.start, before.end)
    return fingerprint(model, current, previous), len(current), missing


def build_period(
    store: Store, settings: Settings, period: Period, *, force: bool = False
) -> BuildResult:
    """Build and cache the map of ``period`` unless the cached one is current."""
    model = map_model(settings)
    key = map_key(period)
    signature, _, missing = _signatures(store, model, period)
    cached = store.maps.cached_map(key, model)
    if cached is not None and cached.fingerprint == signature and not force:
        return _result(key, cached.payload, missing, cached.build_seconds, rebuilt=False)
    started = time.perf_counter()
    found = store.maps.period_papers(model, DIM, period.start, period.end)
    before = previous_period(period)
    previous = store.maps.period_papers(model, DIM, before.start, before.end)
    payload = compute_map(
        MapInputs(found.arxiv_ids, found.titles, found.abstracts, found.vectors, previous.vectors)
    )
    payload.update(
        {
            "period": key,
            "view": period.view,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "previous_period": map_key(before),
            "model": model,
        }
    )
    seconds = time.perf_counter() - started
    store.maps.save_map(key, model, signature, payload, round(seconds, 3))
    log.info("map %s: %d papers built in %.1f s", key, len(found.arxiv_ids), seconds)
    return _result(key, payload, missing, seconds, rebuilt=True)


def _result(
    key: str, payload: dict[str, Any], missing: int, seconds: float, *, rebuilt: bool
) -> BuildResult:
    clusters = payload.get("clusters", [])
    return BuildResult(
        key=key,
        papers=len(payload.get("papers", [])),
        missing=missing,
        clusters=len(clusters),
        rising=sum(1 for c in clusters if c.get("rising")),
        seconds=seconds,
        rebuilt=rebuilt,
    )


def recent_periods(store: Store) -> list[Period]:
    """What `paperboy map build --all-recent` and the background job keep current: the
    newest day with papers, its week and the week before, its month and the month
    before."""
    latest = store.papers.latest_announced()
    if latest is None:
        return []
    week = period_containing("week", latest)
    month = period_containing("month", latest)
    return [
        period_containing("day", latest),
        week,
        previous_period(week),
        month,
        previous_period(month),
    ]


def default_period(store: Store) -> Period | None:
    """The week of the newest announced paper (the map's page without ``period``)."""
    latest = store.papers.latest_announced()
    return None if latest is None else period_containing("week", latest)


def load_map(
    store: Store, settings: Settings, period_text: str | None, builder: BuildQueue | None
) -> MapView:
    """The map of a period as it can be shown now (see the module's docstring)."""
    period = parse_map_period(period_text) if period_text else default_period(store)
    if period is None:
        return MapView(None, "", "no-papers", None, 0, 0, None, None, None)
    model = map_model(settings)
    key = map_key(period)
    signature, embedded, missing = _signatures(store, model, period)
    cached = store.maps.cached_map(key, model)
    status: Status
    if embedded == 0:
        status, cached = "empty", None
    elif cached is not None and cached.fingerprint == signature:
        status = "ready"
    elif embedded <= settings.map_sync_papers and _claim(key):
        try:
            # Embeddings may have arrived since the check: count as the build saw them.
            built = build_period(store, settings, period)
            embedded, missing = built.papers, built.missing
        finally:
            _release(key)
        cached = store.maps.cached_map(key, model)
        status = "ready"
    else:
        if builder is not None:
            builder.request(period)
        status = "stale" if cached is not None else "building"
    nxt = period_containing(period.view, period.end + timedelta(days=1))
    return MapView(
        period=period,
        key=key,
        status=status,
        payload=None if cached is None else cached.payload,
        embedded=embedded,
        missing=missing,
        built_at=None if cached is None else cached.built_at,
        previous_key=map_key(previous_period(period)),
        next_key=map_key(nxt),
    )
