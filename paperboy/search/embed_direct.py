"""Embedding papers directly, outside the job table: `paperboy index update|rebuild`
and the tests use it; `paperboy serve` and `paperboy worker` embed through leased
batches instead (``workqueue/embedding.py``). A batch per transaction, so an
interrupted run resumes where it stopped.

A poison paper (a text the model raises on) is skipped, not fatal: the failing step is
bisected (``search/poison.py``), the other papers are saved, the poison ones are logged
and reported, and the run goes on past them (it reads papers after the last one it
looked at, so it never meets them again in the same run; the next run tries them
again). A model that fails on the probe text too is broken: the run saves what it
encoded and stops with EmbedderBroken."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np

from paperboy.progress import progress
from paperboy.search.embed import Embedder, paper_text
from paperboy.search.poison import EmbedderBroken, PoisonPaper, encode_around_poison
from paperboy.store import Store
from paperboy.store.embeddings import TextToEmbed

log = logging.getLogger("paperboy.search")
EMBED_BATCH = 64
STOPPABLE_BATCH = 4  # texts encoded between checks of the stop event (~0.2 s)
SKIPPED_IN_LOG = 50  # arXiv ids of skipped papers named in the run's summary line


@dataclass(slots=True)
class EmbedRun:
    """What a run did: papers embedded, and the arXiv ids of those skipped because the
    embedder fails on their text."""

    embedded: int = 0
    skipped: list[str] = field(default_factory=list)


def embed_papers(
    store: Store,
    embedder: Embedder,
    *,
    show_progress: bool = False,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> EmbedRun:
    """Embed papers that have no embedding yet (or whose text changed). With ``stop``,
    batches are small and it returns soon after ``stop`` is set. Raises EmbedderBroken
    (after saving what it encoded) when the embedder fails on any text."""
    done = 0
    poison: list[PoisonPaper] = []
    total = store.embeddings.count_to_embed(embedder.name)
    if limit is not None:
        total = min(total, limit)
    if total and stop is not None:
        log.info("embedding %d papers in the background", total)
    with progress("embed papers", total if show_progress else None, "papers") as bar:
        # A stoppable run encodes a few texts at a time between checks.
        step = EMBED_BATCH if stop is None else STOPPABLE_BATCH
        most = EMBED_BATCH * 4 if stop is None else EMBED_BATCH
        after = 0  # papers are read in id order; poison ones stay behind this cursor
        while (limit is None or done < limit) and not (stop and stop.is_set()):
            size = most if limit is None else min(most, limit - done)
            batch = store.embeddings.papers_to_embed(embedder.name, limit=size, after=after)
            if not batch:
                break
            after = batch[-1].paper_id
            kept: list[TextToEmbed] = []
            parts: list[np.ndarray] = []
            try:
                for at in range(0, len(batch), step):
                    if at and stop is not None and stop.is_set():
                        break  # keep what is encoded; stop after saving
                    chunk = batch[at : at + step]
                    texts = [paper_text(i.title, i.abstract) for i in chunk]
                    try:
                        parts.append(embedder.encode(texts, batch_size=EMBED_BATCH))
                        kept.extend(chunk)
                    except Exception:  # the external model: find the poison papers
                        around = encode_around_poison(embedder, chunk, EMBED_BATCH)
                        parts.append(around.vectors)
                        kept.extend(around.papers)
                        poison.extend(around.poison)
                        bar.update(len(around.poison))
            except EmbedderBroken:
                _save(store, embedder.name, kept, parts)
                raise
            _save(store, embedder.name, kept, parts)
            done += len(kept)
            bar.update(len(kept))
    run = EmbedRun(done, _arxiv_ids(store, poison))
    if run.skipped:
        named = ", ".join(run.skipped[:SKIPPED_IN_LOG])
        more = len(run.skipped) - SKIPPED_IN_LOG
        log.warning(
            "embedding: skipped %d papers the embedder fails on (the next run tries them "
            "again): %s%s",
            len(run.skipped),
            named,
            f" and {more} more" if more > 0 else "",
        )
    return run


def _save(store: Store, model: str, kept: list[TextToEmbed], parts: list[np.ndarray]) -> None:
    if kept:
        store.embeddings.save_embeddings(model, kept, np.concatenate(parts))


def _arxiv_ids(store: Store, poison: list[PoisonPaper]) -> list[str]:
    """The arXiv ids of ``poison`` (a paper deleted meanwhile by its internal id)."""
    if not poison:
        return []
    found = store.papers.get_papers_by_ids(p.paper.paper_id for p in poison)
    return [
        found[p.paper.paper_id].arxiv_id if p.paper.paper_id in found else f"#{p.paper.paper_id}"
        for p in poison
    ]
