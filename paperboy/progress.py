"""Progress reporting for long jobs: a bar on a terminal, structured log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from tqdm import tqdm

log = logging.getLogger("paperboy.progress")
LOG_EVERY_SECONDS = 10.0


class Progress(Protocol):
    def update(self, n: int) -> object: ...

    def set_postfix_str(self, s: str) -> object: ...


class _LogProgress:
    """Writes ``progress job=... done=... total=...`` every few seconds."""

    def __init__(self, job: str, total: int | None, unit: str) -> None:
        self.job, self.total, self.unit = job, total, unit
        self.done = 0
        self.postfix = ""
        self.started = self.last = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= LOG_EVERY_SECONDS:
            self.last = now
            self._log("running")

    def set_postfix_str(self, s: str) -> None:
        self.postfix = s

    def _log(self, state: str) -> None:
        elapsed = time.monotonic() - self.started
        log.info(
            "progress job=%s state=%s done=%d total=%s unit=%s elapsed=%.1fs %s",
            self.job,
            state,
            self.done,
            self.total if self.total is not None else "?",
            self.unit,
            elapsed,
            self.postfix,
        )


@contextmanager
def progress(job: str, total: int | None, unit: str = "it") -> Iterator[Progress]:
    """Report progress of ``job``; ``total`` may be None when unknown."""
    if sys.stderr.isatty():
        bar = tqdm(total=total, desc=job, unit=unit, unit_scale=True, dynamic_ncols=True)
        try:
            yield bar
        finally:
            bar.close()
    else:
        reporter = _LogProgress(job, total, unit)
        try:
            yield reporter
        finally:
            if reporter.done:
                reporter._log("finished")
