"""The background work of a paperboy process, by role.

- **web** (`paperboy serve --no-jobs`, every process of `--workers N`): only this node's
  keyword index follows the database (search needs it on every node); no embedding, no
  digests, no harvests or syncs.
- **worker** (`paperboy worker`): the keyword index, and through the job table
  (``workqueue/``) the embeddings in leased batches, the digest sender, the scheduled
  OAI-PMH harvest, Hugging Face and GitHub syncs (each only when its setting turns it
  on), the topic maps of recent periods and the clean-up of expired sign-in tokens and
  old jobs. Several workers on one database share this work: each embedding batch and
  each scheduled run has one claimant (a lease), and a dead worker's lease expires so
  another finishes its work.
- **all** (`paperboy serve` with jobs, the embedded default): both in one process, the
  background work through the same job table as a worker's (PAPERBOY_BACKGROUND_INDEXING
  turns its indexing and embedding off). A lone `serve` claims every job itself (a new
  paper is embedded within about PAPERBOY_INDEX_INTERVAL seconds); any mix of `serve`
  processes with jobs and `paperboy worker` processes on one database shares the work,
  one claimant per embedding batch and per scheduled run, so nothing is done twice.
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from paperboy.config import Settings
from paperboy.search.indexer import BackgroundIndexer
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.workqueue.embedding import embedding_handlers, ensure_plan_job
from paperboy.workqueue.runner import JobRunner, RunnerSettings
from paperboy.workqueue.singletons import ensure_singletons, worker_singletons

log = logging.getLogger("paperboy.jobs")
Role = Literal["web", "worker", "all"]


class _Job(Protocol):
    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...


def worker_queue(
    settings: Settings, store: Store, search: SearchService, *, embed: bool = True
) -> list[tuple[list[str], JobRunner]]:
    """The job runners of a worker (or a `serve` with jobs), each a thread: embedding
    batches (unless ``embed`` is False), and the periodic singletons (apart, so an
    hour-long harvest never holds up embedding)."""
    config = RunnerSettings.of(settings)
    runners: list[tuple[list[str], JobRunner]] = []
    if embed and settings.background_embedding:
        embedding = JobRunner(
            store,
            embedding_handlers(search, settings),
            config,
            setup=lambda: ensure_plan_job(store, settings),
        )
        runners.append((["embeddings in leased batches"], embedding))
    singletons = worker_singletons(store, settings)
    scheduled = JobRunner(
        store,
        [one.handler for one in singletons],
        config,
        setup=lambda: ensure_singletons(store, singletons),
    )
    runners.append(([one.name for one in singletons], scheduled))
    return runners


def role_of(settings: Settings) -> Role:
    """The role of a `paperboy serve` process: ``all``, or ``web`` with PAPERBOY_JOBS off."""
    return "all" if settings.jobs else "web"


class BackgroundWork:
    """Starts and stops the jobs of one role (see the module docstring)."""

    def __init__(self, role: Role, settings: Settings, store: Store, search: SearchService) -> None:
        self.role = role
        self.jobs: list[tuple[str, _Job]] = []
        self._more_names: dict[int, list[str]] = {}  # a runner of several scheduled jobs
        if settings.background_indexing or role == "worker":
            indexer = BackgroundIndexer(search, settings.index_interval)
            self.jobs.append((f"keyword index every {settings.index_interval:g} s", indexer))
        if role == "web":
            return
        # Every unit of work through the job table, in a worker and in a `serve` with
        # jobs alike: one claimant per embedding batch and per scheduled run, however
        # many processes of either kind share the database.
        embed = role == "worker" or settings.background_indexing
        for names, runner in worker_queue(settings, store, search, embed=embed):
            self._more_names[len(self.jobs)] = names[1:]
            self.jobs.append((names[0], runner))

    @property
    def names(self) -> list[str]:
        found: list[str] = []
        for at, (name, _job) in enumerate(self.jobs):
            found += [name, *self._more_names.get(at, [])]
        return found

    def start(self) -> None:
        for name, job in self.jobs:
            job.start()
            log.info("%s job started: %s", self.role, name)

    def stop(self) -> None:
        for _name, job in reversed(self.jobs):
            job.stop()
