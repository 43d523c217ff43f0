"""TL;DRs and code links of a bulk ingest's next batch, found in a second process while
this one writes the current batch.

Choosing the TL;DR sentence is about half of a bulk ingest's CPU time (a profile of
5,000 papers, docs/deploy.md); on a machine with two or more cores it runs beside the
database writes instead of inside them. So does the code-link extraction (a tenth of
what was left in the writer, benchmarks/ingest_speed.py), which keeps the two processes'
CPU a paper about even: the slower one sets the pace. ``choose_tldr`` is a pure function
of title and abstract and ``links_for`` of ``link_inputs``, and the store uses a
precomputed result only for exactly the inputs it was computed from
(``upsert_papers(..., tldrs=..., links=...)``), computing any other itself, so what is
stored is the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from paperboy.arxiv import PaperRecord
from paperboy.codelinks import CodeLink, LinkInputs, link_inputs, links_for
from paperboy.tldr import choose_tldr

TldrKey = tuple[str, str | None]  # (title, abstract), as the store looks them up
# What the worker is sent per paper: title, then the four ``link_inputs``.
WorkerItem = tuple[str, str | None, str | None, str | None, str | None]
MIN_BYTES = 4_000_000  # smaller files: starting the process costs more than it saves
PARENT_CHECK = 0.5  # seconds between the worker's checks that the ingest is alive


def choose_all(pairs: list[TldrKey]) -> list[str | None]:
    """``choose_tldr`` for every (title, abstract), in order."""
    return [choose_tldr(title, abstract) for title, abstract in pairs]


def derive_all(items: list[WorkerItem]) -> list[tuple[str | None, list[CodeLink]]]:
    """(TL;DR, code links) of every paper, in order (runs in the worker)."""
    return [(choose_tldr(item[0], item[1]), links_for(item[1:])) for item in items]


@dataclass(frozen=True, slots=True)
class Derived:
    """What the worker found for a batch, keyed as the store looks it up."""

    tldrs: dict[TldrKey, str | None]
    links: dict[LinkInputs, list[CodeLink]]


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

    def derive(self, records: Sequence[PaperRecord]) -> Future[Derived]:
        """TL;DRs and code links of ``records`` as they would be stored for a new paper
        (the record's text and metadata as they are); returns at once."""
        titles = [r.title or "" for r in records]
        inputs = [link_inputs(r.abstract, r.comment, r.links) for r in records]
        done: Future[Derived] = Future()

        def keyed(job: Future[list[tuple[str | None, list[CodeLink]]]]) -> None:
            error = job.exception()
            if error is not None:
                done.set_exception(error)
                return
            tldrs: dict[TldrKey, str | None] = {}
            links: dict[LinkInputs, list[CodeLink]] = {}
            for title, given, (tldr, found) in zip(titles, inputs, job.result(), strict=True):
                tldrs[(title, given[0])] = tldr
                links[given] = found
            done.set_result(Derived(tldrs, links))

        items = [(title, *given) for title, given in zip(titles, inputs, strict=True)]
        self._pool.submit(derive_all, items).add_done_callback(keyed)
        return done

    def submit(self, records: Sequence[PaperRecord]) -> Future[dict[TldrKey, str | None]]:
        """The TL;DRs of ``records`` only (``derive`` without the links)."""
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
