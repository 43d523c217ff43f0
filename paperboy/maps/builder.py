"""The background map builder of `paperboy serve`: one thread that builds the maps
requests ask for (too large to compute within a request), one at a time, each period
queued once; and, every ``map_refresh_minutes``, the recent periods
(``recent_periods``), so the newest week's map is usually ready before anyone asks.

The thread starts on the first request for a map or at ``start()``; ``stop()`` ends it
after the build in progress (a t-SNE run cannot be interrupted; it is a daemon thread,
so a process exit never waits for it)."""

from __future__ import annotations

import logging
import threading
import time

from paperboy.config import Settings
from paperboy.feed.periods import Period
from paperboy.maps.periods import map_key
from paperboy.maps.service import build_period, recent_periods
from paperboy.store import Store

log = logging.getLogger("paperboy.maps")
FIRST_REFRESH_SECONDS = 60.0  # let the service and its indexer start first


class MapBuilder:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self.refresh_seconds = settings.map_refresh_minutes * 60.0
        self.built = 0  # maps built (or found current) by this thread
        self.failures = 0
        self._queue: dict[str, Period] = {}  # insertion-ordered, one entry per period
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._wake:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(
                    target=self._loop, name="paperboy-maps", daemon=True
                )
                self._thread.start()

    def request(self, period: Period) -> None:
        """Queue ``period`` (once, however often it is asked for) and wake the thread."""
        self.start()
        with self._wake:
            self._queue.setdefault(map_key(period), period)
            self._wake.notify()

    def pending(self) -> list[str]:
        with self._wake:
            return list(self._queue)

    def stop(self, timeout: float = 2.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        next_refresh = time.monotonic() + FIRST_REFRESH_SECONDS
        while True:
            with self._wake:
                while not self._queue and not self._stopping:
                    if self.refresh_seconds > 0:
                        wait = next_refresh - time.monotonic()
                        if wait <= 0:
                            break
                        self._wake.wait(wait)
                    else:
                        self._wake.wait()
                if self._stopping:
                    return
                key = next(iter(self._queue), None)
                period = self._queue[key] if key is not None else None
            if period is None:  # time for the periodic refresh
                next_refresh = time.monotonic() + self.refresh_seconds
                periods = self._recent()
            else:
                periods = [period]
            for each in periods:
                self._build(each)
            if key is not None:
                with self._wake:
                    self._queue.pop(key, None)

    def _recent(self) -> list[Period]:
        try:
            return recent_periods(self.store)
        except Exception:  # keep the thread alive; the next refresh retries
            self.failures += 1
            log.exception("listing the recent periods for maps failed")
            return []

    def _build(self, period: Period) -> None:
        try:
            build_period(self.store, self.settings, period)
            self.built += 1
        except Exception:  # a failed build is logged; the next request retries it
            self.failures += 1
            log.exception("building the map of %s failed", map_key(period))
