"""The background work of a paperboy process, by role.

- **web** (`paperboy serve --no-jobs`, every process of `--workers N`): only this node's
  keyword index follows the database (search needs it on every node); no embedding, no
  digests, no harvests or syncs.
- **worker** (`paperboy worker`): the keyword index and the embeddings, the digest
  sender, the scheduled OAI-PMH harvest, Hugging Face and GitHub syncs (each only when
  its setting turns it on), and the topic maps of recent periods.
- **all** (one `paperboy serve`, the embedded default): both in one process.

Running the worker's part twice is safe, only wasteful: digests are claimed through the
outbox (each sent once), harvests and syncs are idempotent upserts, and only one
process at a time holds the keyword index's writer (the others read).
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from paperboy.config import Settings
from paperboy.digest.scheduler import DigestScheduler
from paperboy.ingest.github_scheduler import GithubSyncScheduler, github_job_enabled
from paperboy.ingest.harvest_scheduler import HarvestScheduler, harvest_sets
from paperboy.ingest.hf_scheduler import HfSyncScheduler
from paperboy.maps.builder import MapBuilder
from paperboy.search.indexer import BackgroundIndexer
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.workqueue.embedding import embedding_handlers, ensure_plan_job
from paperboy.workqueue.runner import JobRunner, RunnerSettings

log = logging.getLogger("paperboy.jobs")
Role = Literal["web", "worker", "all"]


class _Job(Protocol):
    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...


def queued_embedding(settings: Settings, store: Store, search: SearchService) -> JobRunner:
    """The job runner of a worker's embeddings (see ``workqueue/embedding.py``)."""
    return JobRunner(
        store,
        embedding_handlers(search, settings),
        RunnerSettings.of(settings),
        setup=lambda: ensure_plan_job(store, settings),
    )


def role_of(settings: Settings) -> Role:
    """The role of a `paperboy serve` process: ``all``, or ``web`` with PAPERBOY_JOBS off."""
    return "all" if settings.jobs else "web"


class BackgroundWork:
    """Starts and stops the jobs of one role (see the module docstring)."""

    def __init__(self, role: Role, settings: Settings, store: Store, search: SearchService) -> None:
        self.role = role
        self.jobs: list[tuple[str, _Job]] = []
        work = role != "web"
        if settings.background_indexing or role == "worker":
            # A worker embeds through the job table (one claimant per batch, so several
            # workers never embed a paper twice); a single `serve` embeds directly.
            embed = role == "all" and settings.background_embedding
            indexer = BackgroundIndexer(search, settings.index_interval, embed=embed)
            what = "keyword index and embeddings" if embed else "keyword index"
            self.jobs.append((f"{what} every {settings.index_interval:g} s", indexer))
        if role == "worker" and settings.background_embedding:
            self.jobs.append(
                ("embeddings in leased batches", queued_embedding(settings, store, search))
            )
        if not work:
            return
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
        if role == "worker" and settings.map_refresh_minutes > 0:
            # (In a single `serve` the app's own map builder refreshes them.)
            every = f"every {settings.map_refresh_minutes:g} min"
            self.jobs.append((f"topic maps of recent periods {every}", MapBuilder(store, settings)))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.jobs]

    def start(self) -> None:
        for name, job in self.jobs:
            job.start()
            log.info("%s job started: %s", self.role, name)

    def stop(self) -> None:
        for _name, job in reversed(self.jobs):
            job.stop()
