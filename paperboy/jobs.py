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
- **all** (one `paperboy serve`, the embedded default): both in one process, each job
  in its own thread as before the job table (nobody to share the work with).
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from paperboy.config import Settings
from paperboy.digest.scheduler import DigestScheduler
from paperboy.ingest.github_scheduler import GithubSyncScheduler, github_job_enabled
from paperboy.ingest.harvest_scheduler import HarvestScheduler, harvest_sets
from paperboy.ingest.hf_scheduler import HfSyncScheduler
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
    settings: Settings, store: Store, search: SearchService
) -> list[tuple[list[str], JobRunner]]:
    """The job runners of a worker, each a thread: embedding batches, and the periodic
    singletons (apart, so an hour-long harvest never holds up embedding)."""
    config = RunnerSettings.of(settings)
    runners: list[tuple[list[str], JobRunner]] = []
    if settings.background_embedding:
        embed = JobRunner(
            store,
            embedding_handlers(search, settings),
            config,
            setup=lambda: ensure_plan_job(store, settings),
        )
        runners.append((["embeddings in leased batches"], embed))
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
        work = role != "web"
        if settings.background_indexing or role == "worker":
            # A worker embeds through the job table (one claimant per batch, so several
            # workers never embed a paper twice); a single `serve` embeds directly.
            embed = role == "all" and settings.background_embedding
            indexer = BackgroundIndexer(search, settings.index_interval, embed=embed)
            what = "keyword index and embeddings" if embed else "keyword index"
            self.jobs.append((f"{what} every {settings.index_interval:g} s", indexer))
        if role == "worker":
            # Every unit of work through the job table: one claimant per embedding batch
            # and per scheduled run, however many workers share the database.
            for names, runner in worker_queue(settings, store, search):
                self._more_names[len(self.jobs)] = names[1:]
                self.jobs.append((names[0], runner))
            return
        if not work:
            return
        # One `serve` runs everything in its own threads (nobody to share with); its
        # app's own map builder refreshes the maps.
        if settings.digest_scheduler:
            self.jobs.append(("digests when due", DigestScheduler(store, settings)))
        if settings.harvest_minutes > 0 and harvest_sets(settings):
            sets = ", ".join(harvest_sets(settings))
            every = f"every {settings.harvest_minutes} min"
            self.jobs.append(
                (f"arXiv harvest of {sets} {every}", HarvestScheduler(store, settings))
            )
        if settings.hf_sync_minutes > 0:
            every = f"every {settings.hf_sync_minutes} min"
            self.jobs.append((f"Hugging Face sync {every}", HfSyncScheduler(store, settings)))
        if github_job_enabled(settings):
            every = f"every {settings.github_sync_minutes} min"
            self.jobs.append((f"GitHub sync {every}", GithubSyncScheduler(store, settings)))

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
