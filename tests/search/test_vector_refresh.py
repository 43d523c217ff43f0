"""The in-memory vectors pick up new, late-committed and re-categorised papers, and an
idle index re-reads nothing (it used to re-read the last minute of rows every 2 s, with
a query that scanned every embedding). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import update

from paperboy.clock import utcnow
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.semantic import VectorIndex
from paperboy.store import Store
from paperboy.store.embeddings import EmbeddingRows, encode_vector
from paperboy.store.models import paper_embeddings, papers
from tests.support import SMALL_PAPERS

MODEL, DIM = "test-model", 8


def _embed_all(store: Store) -> None:
    items = store.embeddings.papers_to_embed(MODEL, limit=1000)
    vectors = np.random.default_rng(1).normal(size=(len(items), DIM)).astype(np.float32)
    store.embeddings.save_embeddings(MODEL, items, vectors)


def _stamp(store: Store, when: datetime, arxiv_id: str | None = None) -> None:
    with store.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(papers.select().with_only_columns(papers.c.id))]
        if arxiv_id is not None:
            ids = [
                r[0]
                for r in conn.execute(
                    papers.select()
                    .with_only_columns(papers.c.id)
                    .where(papers.c.arxiv_id == arxiv_id)
                )
            ]
        conn.execute(
            update(paper_embeddings)
            .where(paper_embeddings.c.paper_id.in_(ids))
            .values(updated_at=when)
        )
        conn.execute(update(papers).where(papers.c.id.in_(ids)).values(last_changed=when))


def test_refresh_reads_only_what_may_be_new(store: Store) -> None:
    ingest_jsonl(store, SMALL_PAPERS)
    _embed_all(store)
    _stamp(store, utcnow() - timedelta(hours=2))
    read: list[int] = []
    load = store.embeddings.load_embeddings

    def counting(model: str, dim: int, since: datetime | None = None) -> EmbeddingRows:
        rows = load(model, dim, since=since)
        read.append(len(rows.arxiv_ids))
        return rows

    store.embeddings.load_embeddings = counting  # type: ignore[method-assign]
    index = VectorIndex(store, MODEL, DIM)  # loads its base in pages, not through this
    assert len(index) == 37 and read == []
    index.refresh(force=True)
    index.refresh(force=True)
    assert read == [0, 0]  # idle: nothing re-read

    # A newer row is read, alone.
    _stamp(store, utcnow() - timedelta(seconds=10), "2606.26139")
    index.refresh(force=True)
    assert read[-1] == 1
    # A row stamped before that one but committed after the read (a slow transaction)
    # is still found: its new vector is picked up.
    late = np.full(DIM, 0.5, dtype=np.float32)
    with store.engine.begin() as conn:
        (pid,) = conn.execute(
            papers.select().with_only_columns(papers.c.id).where(papers.c.arxiv_id == "2606.27670")
        ).one()
        conn.execute(
            update(paper_embeddings)
            .where(paper_embeddings.c.paper_id == pid)
            .values(vector=encode_vector(late))
        )
    _stamp(store, utcnow() - timedelta(seconds=20), "2606.27670")
    index.refresh(force=True)
    found = index.vector_of("2606.27670")
    assert found is not None and np.allclose(found, late)
    # A paper whose categories changed just now moves to its new categories.
    with store.engine.begin() as conn:
        conn.execute(
            update(papers)
            .where(papers.c.arxiv_id == "2606.27670")
            .values(categories=["q-fin.ST", "cs.LG"], last_changed=utcnow())
        )
    index.refresh(force=True)
    tail = index._snap.tail
    row = tail.row_of["2606.27670"]
    assert row in tail.rows_of_category["q-fin.st"] and row in tail.rows_of_category["cs.lg"]
