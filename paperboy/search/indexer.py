"""Runs inside `paperboy serve`: keeps the keyword index current by calling
SearchService.update (without embedding) every PAPERBOY_INDEX_INTERVAL seconds in a
thread. Embeddings are kept current by the ``embed_plan``/``embed_batch`` jobs of the
job table (`paperboy/workqueue/embedding.py`).

Stopping is quick: the update checks the stop event between small batches, so a server
stops within a batch's time (well under two seconds)."""

from __future__ import annotations

import logging
import threading

from paperboy.errors import PaperboyError
from paperboy.metrics import count_items, observe_job
from paperboy.search.service import SearchService

log = logging.getLogger("paperboy.search")


class BackgroundIndexer:
    def __init__(self, service: SearchService, interval: float) -> None:
        self.service, self.interval = service, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paperboy-indexer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with observe_job("index"):  # runs, failures and duration in /metrics
                    update = self.service.update(embed=False, stop=self._stop)
                count_items("index", "indexed", update.indexed or 0)
                count_items("index", "embedded", update.embedded)
                if update.indexed or update.embedded:
                    log.info(
                        "indexes updated: %s papers indexed, %d embedded",
                        update.indexed,
                        update.embedded,
                    )
            except PaperboyError as exc:
                log.error("background indexing failed: %s", exc.detail)
            except Exception:  # keep serving; the next round retries
                log.exception("background indexing failed")
            self._stop.wait(self.interval)
