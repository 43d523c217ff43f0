"""Embedding through the job table, so that several `paperboy worker` processes embed
every paper exactly once.

Two kinds of job:

- ``embed_plan`` (periodic, one row per model): the worker that claims it lists papers
  that need a vector and are in no open (queued, running) or failed batch, and enqueues
  them as ``embed_batch`` jobs of PAPERBOY_JOB_EMBED_BATCH papers. One claimant at a
  time, so two planners never put a paper in two batches.
- ``embed_batch`` (payload: the model and the paper ids): the claimant encodes the
  papers of its batch that still need a vector and saves them in one transaction,
  keeping any vector stored meanwhile. A worker killed mid-batch saves nothing; its
  lease expires and another worker embeds the batch. The finished job keeps how many
  papers it embedded (``embedded`` in its payload): the count of model calls.

A batch the embedder cannot finish is split, and failed batches are looked at again by
every plan: see ``embed_failures``. `paperboy worker` and `paperboy serve` (with jobs)
both run these handlers, so any mix of them on one database embeds each paper once.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.search.embed import paper_text
from paperboy.search.embed_direct import EMBED_BATCH
from paperboy.search.service import SearchService, model_key
from paperboy.store import Store
from paperboy.workqueue.embed_failures import (
    EncodeFailed,
    halves,
    revisit_failed_batches,
    split_after_failure,
)
from paperboy.workqueue.runner import Handler, JobContext, JobResult, JobStopped

log = logging.getLogger("paperboy.jobs")

PLAN_KIND = "embed_plan"
BATCH_KIND = "embed_batch"
BATCHES_PER_PLAN = 8  # a plan run enqueues at most this many batches, then runs again
ENCODE_STEP = 16  # texts encoded between checks of stop/lost (well under a second)
# An idle plan skips the scan for papers without a vector while the newest change among
# papers is the one of a scan that left nothing unplanned; it scans anyway this often
# (vectors deleted by hand; a paper stamped before that change but committed after it).
FULL_SCAN_EVERY = timedelta(minutes=10)


def papers_in_batches(store: Store, model: str) -> set[int]:
    """Paper ids of open and failed embedding batches of ``model`` (not to plan again;
    failed ones are queued again by the rule of ``embed_failures``)."""
    ids: set[int] = set()
    for job in store.jobs.list_jobs(BATCH_KIND, ("queued", "running", "failed")):
        if job.payload.get("model") == model:
            ids.update(int(i) for i in job.payload.get("papers", []))
    return ids


def plan_batches(store: Store, settings: Settings, *, max_batches: int = BATCHES_PER_PLAN) -> int:
    """Enqueue batches for papers that need a vector and are in no batch; returns the
    number of batches enqueued (``max_batches`` means there may be more)."""
    model = model_key(settings.embedding_runtime)
    size = settings.job_embed_batch
    taken = papers_in_batches(store, model)
    wanted = size * max_batches
    pending = store.embeddings.papers_to_embed(model, limit=len(taken) + wanted)
    ids = [p.paper_id for p in pending if p.paper_id not in taken][:wanted]
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    batches = [ids[at : at + size] for at in range(0, len(ids), size)]
    items = [
        (f"{model}:{stamp}:{batch[0]}", {"model": model, "papers": batch}) for batch in batches
    ]
    store.jobs.enqueue_many(BATCH_KIND, items, max_attempts=settings.job_max_attempts)
    if batches:
        log.info("planned %d embedding batches of up to %d papers", len(batches), size)
    return len(batches)


def embed_batch(
    search: SearchService,
    model: str,
    paper_ids: list[int],
    cancel: threading.Event | None = None,
    lost: threading.Event | None = None,
) -> int:
    """Encode and save the papers among ``paper_ids`` that still need a vector; returns
    how many were encoded (0 when stopped before saving: a later claim redoes it).
    Raises EncodeFailed when the embedder raises, after saving the steps before."""
    store = search.store
    todo = store.embeddings.pending_among(model, paper_ids)
    if not todo:
        return 0
    embedder = search.embedder
    parts: list[np.ndarray] = []
    for at in range(0, len(todo), ENCODE_STEP):
        if (cancel is not None and cancel.is_set()) or (lost is not None and lost.is_set()):
            return 0  # nothing saved; the job goes back to the queue
        texts = [paper_text(t.title, t.abstract) for t in todo[at : at + ENCODE_STEP]]
        try:
            parts.append(embedder.encode(texts, batch_size=EMBED_BATCH))
        except Exception as exc:  # the external model: save what it did encode
            if parts:
                store.embeddings.save_new_embeddings(model, todo[:at], np.concatenate(parts))
            raise EncodeFailed(at, todo[at:], exc) from exc
    store.embeddings.save_new_embeddings(model, todo, np.concatenate(parts))
    return len(todo)


def plan_if_changed(
    store: Store, settings: Settings, state: dict[str, Any], now: datetime
) -> tuple[int, dict[str, Any]]:
    """One plan run: queue again the failed batches the rule allows, then plan batches
    unless no paper changed since a scan that left nothing unplanned (``state``, kept in
    the plan job's payload, so any process's next run knows). Returns the batches
    planned and the state to keep."""
    model = model_key(settings.embedding_runtime)
    revisit_failed_batches(store, model, store.jobs.list_jobs(BATCH_KIND, ["failed"]), now)
    papers_at = store.papers.max_last_changed()
    stamp = papers_at.isoformat() if papers_at is not None else ""
    scanned = state.get("scanned_at")
    recent = scanned is not None and datetime.fromisoformat(scanned) > now - FULL_SCAN_EVERY
    if recent and state.get("papers_at") == stamp:
        return 0, state
    planned = plan_batches(store, settings)
    if planned >= BATCHES_PER_PLAN:  # more wait: no skipping until they are planned
        return planned, {}
    return planned, {"papers_at": stamp, "scanned_at": now.isoformat()}


def embedding_handlers(search: SearchService, settings: Settings) -> list[Handler]:
    """The two handlers of embeddings through the job table (see the module docstring)."""
    store = search.store

    def plan(context: JobContext) -> JobResult:
        planned, state = plan_if_changed(store, settings, context.job.payload, utcnow())
        # A full plan means more papers wait: plan again as soon as these are claimed.
        again = utcnow() if planned >= BATCHES_PER_PLAN else None
        return JobResult(items=planned, item="batches", payload=state, run_again_at=again)

    def batch(context: JobContext) -> JobResult:
        payload = context.job.payload
        model = str(payload.get("model", ""))
        if model != model_key(settings.embedding_runtime):
            raise ValueError(
                f"a batch for model {model!r}; this worker embeds with "
                f"{model_key(settings.embedding_runtime)!r} (PAPERBOY_EMBEDDING_RUNTIME)"
            )
        ids = [int(i) for i in payload.get("papers", [])]
        if payload.get("bisect") and len(ids) > 1:  # a failed batch: split, encode nothing
            batches = halves(context.job.key, payload, ids)
            enqueue(store, settings, batches)
            record = {**payload, "embedded": 0, "split": [key for key, _ in batches]}
            return JobResult(item="embedded", payload=record)
        try:
            embedded = embed_batch(search, model, ids, context.stop, context.lost)
        except EncodeFailed as failed:
            if len(failed.rest) == 1:  # kept with the failure: a new text is retried at once
                context.save_payload({**payload, "text_hash": failed.rest[0].text_hash})
            halved = split_after_failure(context.job.key, payload, failed, search.embedder)
            enqueue(store, settings, halved.batches)
            return JobResult(items=failed.embedded, item="embedded", payload=halved.record)
        if context.cancelled and embedded == 0:
            raise JobStopped("stopped before the batch was saved")
        return JobResult(items=embedded, item="embedded", payload={**payload, "embedded": embedded})

    return [
        Handler(PLAN_KIND, plan, every=settings.index_interval),
        Handler(BATCH_KIND, batch),
    ]


def enqueue(store: Store, settings: Settings, batches: list[tuple[str, dict[str, Any]]]) -> None:
    store.jobs.enqueue_many(BATCH_KIND, batches, max_attempts=settings.job_max_attempts)


def ensure_plan_job(store: Store, settings: Settings) -> None:
    """The periodic planning row of this worker's model (idempotent)."""
    model = model_key(settings.embedding_runtime)
    store.jobs.ensure_periodic(PLAN_KIND, model, first_run=utcnow(), every=settings.index_interval)
