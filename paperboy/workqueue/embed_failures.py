"""What happens to an embedding batch the embedder cannot finish, so that one poison paper
(a text that makes the model raise, or kill its process) never keeps the other papers of
its batch from their vectors:

- **The embedder raises on a step of a batch of several papers**: the papers encoded
  before that step are saved, and the rest is split at once into two halves, each a new
  batch (``<key>/1``, ``<key>/2``); the batch ends done, its payload naming the halves
  and the error. A model gives the same error for the same text, so retrying the whole
  batch would only delay the healthy papers: halving isolates a poison paper in about
  log2(batch size) claims, seconds apart. Unless the embedder fails on any text (a
  known-good probe text raises too): then the batch fails as a whole, like any other
  error, instead of being shattered into single papers.
- **A single-paper batch fails**: retried with the usual backoff, then ``failed`` with
  its error, naming the paper (`paperboy jobs status`, "Recent failures").
- **A failed batch** is looked at by every embedding plan: one of several papers (its
  worker died on every attempt, as a text that crashes the model makes it do, or it
  failed for another reason) is queued again marked ``bisect``: its claimant splits it
  in two without encoding. A failed single paper is queued again (attempts from zero)
  once a day has passed since it failed, or at once when its text changed or it no
  longer needs a vector (``paperboy index update`` embedded it).

So in the end only the poison papers stay failed, each in its own batch, retried daily.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from paperboy.search.embed import Embedder
from paperboy.search.poison import PROBE_TEXT as PROBE_TEXT
from paperboy.search.poison import probe_embedder
from paperboy.store import Store
from paperboy.store.embeddings import TextToEmbed
from paperboy.store.jobs import JobRow

log = logging.getLogger("paperboy.jobs")

RETRY_FAILED_AFTER = timedelta(days=1)


class EncodeFailed(Exception):
    """The embedder raised on a step of a batch; ``embedded`` papers before it are saved,
    ``rest`` still need a vector."""

    def __init__(self, embedded: int, rest: list[TextToEmbed], cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.embedded, self.rest, self.cause = embedded, rest, cause


class PaperNotEmbedded(Exception):
    """The embedder fails on this one paper's text (the batch fails; retried, then kept
    failed with this message)."""


@dataclass(frozen=True, slots=True)
class Split:
    """A batch split in two: the new batches (key, payload) and what to keep in the
    finished one's payload."""

    batches: list[tuple[str, dict[str, Any]]]
    record: dict[str, Any]


def halves(key: str, payload: dict[str, Any], ids: list[int]) -> list[tuple[str, dict[str, Any]]]:
    """Two batches (one if ``ids`` has a single paper) of ``ids``, keyed after ``key``
    so that splitting the same batch again enqueues nothing new."""
    middle = (len(ids) + 1) // 2
    parts = [part for part in (ids[:middle], ids[middle:]) if part]
    return [
        (f"{key}/{n}", {"model": payload.get("model"), "papers": part})
        for n, part in enumerate(parts, 1)
    ]


def split_after_failure(
    key: str, payload: dict[str, Any], failed: EncodeFailed, embedder: Embedder
) -> Split:
    """The split of a batch whose encoding raised (see the module docstring); raises
    PaperNotEmbedded for a single paper and EmbedderBroken when the probe fails too."""
    error = str(failed)
    if len(failed.rest) == 1:
        paper = failed.rest[0]
        raise PaperNotEmbedded(
            f"the embedder fails on paper {paper.paper_id} ({paper.title[:80]!r}): {error}"
        ) from failed.cause
    probe_embedder(embedder)  # EmbedderBroken: the batch fails whole (search/poison.py)
    batches = halves(key, payload, [t.paper_id for t in failed.rest])
    log.warning(
        "embedding batch %s: %s; saved %d papers, split the other %d into %s",
        key,
        error,
        failed.embedded,
        len(failed.rest),
        ", ".join(k for k, _ in batches),
    )
    record = {**payload, "embedded": failed.embedded, "error": error}
    return Split(batches, record | {"split": [k for k, _ in batches]})


def revisit_failed_batches(store: Store, model: str, failed: list[JobRow], now: datetime) -> int:
    """Queue again the failed batches of ``model`` that the rule allows (see the module
    docstring); returns how many."""
    queued = 0
    for job in failed:
        if job.payload.get("model") != model:
            continue
        ids = [int(i) for i in job.payload.get("papers", [])]
        if len(ids) > 1:
            again = store.jobs.requeue_failed(job.id, {**job.payload, "bisect": True})
        else:
            pending = store.embeddings.pending_among(model, ids)
            text_changed = not pending or job.payload.get("text_hash") not in (
                None,
                pending[0].text_hash,
            )
            if not text_changed and job.updated_at > now - RETRY_FAILED_AFTER:
                continue
            again = store.jobs.requeue_failed(job.id, job.payload)
        if again:
            log.info("failed embedding batch %s queued again (%d papers)", job.key, len(ids))
            queued += 1
    return queued
