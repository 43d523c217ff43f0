"""TL;DRs of a bulk ingest's next batch, chosen in a second process while this one
writes the current batch.

Choosing the TL;DR sentence is about half of a bulk ingest's CPU time (a profile of
5,000 papers, docs/deploy.md); on a machine with two or more cores it runs beside the
database writes instead of inside them. ``choose_tldr`` is a pure function of title and
abstract, and the store uses a precomputed sentence only for exactly the (title,
abstract) it was computed from (``upsert_papers(..., tldrs=...)``), choosing any other
itself, so the TL;DRs stored are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from paperboy.arxiv import PaperRecord
from paperboy.tldr import choose_tldr

TldrKey = tuple[str, str | None]  # (title, abstract), as the store looks them up
MIN_BYTES = 4_000_000  # smaller files: starting the process costs more than it saves
PARENT_CHECK = 0.5  # seconds between the worker's checks that the ingest is alive


def choose_all(pairs: list[TldrKey]) -> list[str | None]:
    """``choose_tldr`` for every (title, abstract), in order (runs in the worker)."""
    return [choose_tldr(title, abstract) for title, abstract in pairs]


def watch_parent(parent: int) -> None:
    """In the worker: exit once the process that started it is gone. An ingest killed
    with SIGKILL cannot shut its pool down, and the worker would otherwise linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def worth_it(file_bytes: int) -> bool:
    """Whether a file of this size is worth a second process on this machine."""
    return (os.cpu_count() or 1) > 1 and file_bytes >= MIN_BYTES


class TldrAhead:
    """One worker process (spawned: it imports only the TL;DR code) that chooses the
    TL;DRs of a batch of records; ``submit`` returns at once."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=watch_parent,
            initargs=(os.getpid(),),
        )

    def worker_pid(self) -> int:
        return self._pool.submit(os.getpid).result()

    def submit(self, records: Sequence[PaperRecord]) -> Future[dict[TldrKey, str | None]]:
        pairs = [(r.title or "", r.abstract) for r in records]
        done: Future[dict[TldrKey, str | None]] = Future()

        def keyed(job: Future[list[str | None]]) -> None:
            error = job.exception()
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(dict(zip(pairs, job.result(), strict=True)))

        self._pool.submit(choose_all, pairs).add_done_callback(keyed)
        return done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> TldrAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
