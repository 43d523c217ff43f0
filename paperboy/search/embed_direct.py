"""Embedding papers directly, outside the job table: `paperboy index update|rebuild`
and the tests use it; `paperboy serve` and `paperboy worker` embed through leased
batches instead (``workqueue/embedding.py``). A batch per transaction, so an
interrupted run resumes where it stopped."""

from __future__ import annotations

import logging
import threading

import numpy as np

from paperboy.progress import progress
from paperboy.search.embed import Embedder, paper_text
from paperboy.store import Store

log = logging.getLogger("paperboy.search")
EMBED_BATCH = 64
STOPPABLE_BATCH = 4  # texts encoded between checks of the stop event (~0.2 s)


def embed_papers(
    store: Store,
    embedder: Embedder,
    *,
    show_progress: bool = False,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Embed papers that have no embedding yet (or whose text changed); how many. With
    ``stop``, batches are small and it returns soon after ``stop`` is set."""
    done = 0
    total = store.embeddings.count_to_embed(embedder.name)
    if limit is not None:
        total = min(total, limit)
    if total and stop is not None:
        log.info("embedding %d papers in the background", total)
    with progress("embed papers", total if show_progress else None, "papers") as bar:
        # A stoppable run encodes a few texts at a time between checks.
        step = EMBED_BATCH if stop is None else STOPPABLE_BATCH
        most = EMBED_BATCH * 4 if stop is None else EMBED_BATCH
        while (limit is None or done < limit) and not (stop and stop.is_set()):
            size = most if limit is None else min(most, limit - done)
            batch = store.embeddings.papers_to_embed(embedder.name, limit=size)
            if not batch:
                break
            parts: list[np.ndarray] = []
            for at in range(0, len(batch), step):
                if parts and stop is not None and stop.is_set():
                    batch = batch[:at]  # keep what is encoded; stop after saving
                    break
                texts = [paper_text(i.title, i.abstract) for i in batch[at : at + step]]
                parts.append(embedder.encode(texts, batch_size=EMBED_BATCH))
            store.embeddings.save_embeddings(embedder.name, batch, np.concatenate(parts))
            done += len(batch)
            bar.update(len(batch))
    return done
