"""A job that runs every so often in a thread of `paperboy serve` (digests, Hugging Face
and GitHub syncs): it waits ``first_run`` seconds, then runs every ``interval``; a
failed run is logged and counted, and the next one retries, so the service keeps
serving whatever a source does. ``stop`` ends the wait at once."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

from paperboy.metrics import observe_job


class PeriodicJob:
    def __init__(
        self,
        name: str,
        run: Callable[[], object],
        *,
        first_run: float,
        interval: float,
        log: logging.Logger,
    ) -> None:
        self.name, self.run, self.log = name, run, log
        # Its label in /metrics: "GitHub sync" -> "github_sync".
        self.kind = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        self.first_run, self.interval = first_run, interval
        self.runs = 0  # finished runs, successful or not
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"paperboy-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        wait = self.first_run
        while not self._stop.wait(wait):
            wait = self.interval
            try:
                with observe_job(self.kind):  # runs, failures and duration in /metrics
                    self.run()
            except Exception:  # keep serving; the next run retries
                self.failures += 1
                self.log.exception("scheduled %s failed", self.name)
            finally:
                self.runs += 1
