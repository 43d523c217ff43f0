"""Storage of paper embeddings (derived data, rebuilt by `paperboy index rebuild
--reembed`). Vectors are stored as float16 bytes: half the space, and the ranking
difference is far below what search quality can see."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, delete, func, insert, or_, select, union
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.store._rows import Repository, chunked
from paperboy.store.db import insert_ignoring_duplicates
from paperboy.store.models import paper_embeddings, papers

VECTOR_DTYPE = np.float16


@dataclass(frozen=True, slots=True)
class TextToEmbed:
    paper_id: int
    title: str
    abstract: str | None
    text_hash: str


@dataclass(frozen=True, slots=True)
class EmbeddingRows:
    """Embeddings with the metadata that search filters need, in row order."""

    paper_ids: list[int]
    arxiv_ids: list[str]
    announced: list[date | None]
    categories: list[list[str]]
    vectors: np.ndarray  # float32, shape (n, dim) (float16 from iter_embeddings)
    newest: datetime | None


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def decode_vectors(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=VECTOR_DTYPE)
    return raw.reshape(len(blobs), dim).astype(np.float32)


def _rows_with_metadata(model: str) -> Select[Any]:
    """Embeddings of ``model`` with what search filters on, in paper order (the columns
    `_embedding_rows` reads)."""
    e = paper_embeddings
    return (
        select(
            papers.c.id,
            papers.c.arxiv_id,
            papers.c.announced,
            papers.c.categories,
            e.c.vector,
            e.c.updated_at,
            papers.c.last_changed,
        )
        .select_from(e.join(papers, papers.c.id == e.c.paper_id))
        .where(e.c.model == model)
        .order_by(papers.c.id)
    )


def _embedding_rows(rows: Sequence[Any], dim: int, *, float32: bool) -> EmbeddingRows:
    """Rows of `_rows_with_metadata` as EmbeddingRows: vectors as float32, or as stored
    (float16, half the memory, for loading millions)."""
    blobs = [bytes(r[4]) for r in rows]
    if float32:
        vectors = decode_vectors(blobs, dim)
    else:
        vectors = np.frombuffer(b"".join(blobs), dtype=VECTOR_DTYPE).reshape(len(rows), dim)
    return EmbeddingRows(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] if isinstance(r[2], date) else None for r in rows],
        [list(r[3] or []) for r in rows],
        vectors,
        max((max(r[5], r[6]) for r in rows), default=None),
    )


def _vector_rows(
    model: str, items: Sequence[TextToEmbed], vectors: np.ndarray
) -> list[dict[str, Any]]:
    """Rows of paper_embeddings for one batch, stamped now."""
    now = utcnow()
    return [
        {
            "paper_id": item.paper_id,
            "model": model,
            "text_hash": item.text_hash,
            "vector": encode_vector(vector),
            "updated_at": now,
        }
        for item, vector in zip(items, vectors, strict=True)
    ]


class EmbeddingStore(Repository):
    def papers_to_embed(self, model: str, limit: int = 256, *, after: int = 0) -> list[TextToEmbed]:
        """Papers without an embedding by ``model``, or whose text changed since, in id
        order from the first id above ``after`` (a run's cursor: papers it skipped)."""
        e = paper_embeddings
        stmt = (
            select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.text_hash)
            .select_from(papers.outerjoin(e, and_(e.c.paper_id == papers.c.id, e.c.model == model)))
            .where(
                papers.c.id > after,
                or_(e.c.paper_id.is_(None), e.c.text_hash != papers.c.text_hash),
            )
            .order_by(papers.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [TextToEmbed(*row) for row in conn.execute(stmt)]

    def count_to_embed(self, model: str) -> int:
        e = paper_embeddings
        stmt = (
            select(func.count())
            .select_from(papers.outerjoin(e, and_(e.c.paper_id == papers.c.id, e.c.model == model)))
            .where(or_(e.c.paper_id.is_(None), e.c.text_hash != papers.c.text_hash))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def save_embeddings(
        self, model: str, items: Sequence[TextToEmbed], vectors: np.ndarray
    ) -> None:
        """Store one batch atomically (replacing older vectors of the same papers)."""
        rows = _vector_rows(model, items, vectors)
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        delete(paper_embeddings).where(
                            paper_embeddings.c.model == model,
                            paper_embeddings.c.paper_id.in_([r["paper_id"] for r in rows]),
                        )
                    )
                    if rows:
                        conn.execute(insert(paper_embeddings), rows)
                return
            except IntegrityError:
                # Another process stored the same papers between our delete and insert,
                # or a paper was deleted meanwhile; one retry sees its state.
                if attempt == 2:
                    raise

    def pending_among(self, model: str, paper_ids: Sequence[int]) -> list[TextToEmbed]:
        """Those of ``paper_ids`` that still need a vector by ``model`` (none, or one of
        an older text), with their current text, in id order."""
        e = paper_embeddings
        found: list[TextToEmbed] = []
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(paper_ids))):
                stmt = (
                    select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.text_hash)
                    .select_from(
                        papers.outerjoin(e, and_(e.c.paper_id == papers.c.id, e.c.model == model))
                    )
                    .where(
                        papers.c.id.in_(chunk),
                        or_(e.c.paper_id.is_(None), e.c.text_hash != papers.c.text_hash),
                    )
                    .order_by(papers.c.id)
                )
                found.extend(TextToEmbed(*row) for row in conn.execute(stmt))
        return found

    def save_new_embeddings(
        self, model: str, items: Sequence[TextToEmbed], vectors: np.ndarray
    ) -> int:
        """Store one batch atomically, keeping any vector another process stored for the
        same text meanwhile (replacing only vectors of an older text); returns how many
        vectors were written."""
        if not items:
            return 0
        rows = _vector_rows(model, items, vectors)
        e = paper_embeddings
        with self.engine.begin() as conn:
            for item in items:
                conn.execute(
                    delete(e).where(
                        e.c.model == model,
                        e.c.paper_id == item.paper_id,
                        e.c.text_hash != item.text_hash,
                    )
                )
            # A paper deleted meanwhile would break the foreign key: keep those out.
            alive = set(
                conn.execute(
                    select(papers.c.id).where(papers.c.id.in_([r["paper_id"] for r in rows]))
                ).scalars()
            )
            rows = [r for r in rows if r["paper_id"] in alive]
            if not rows:
                return 0
            stmt = insert_ignoring_duplicates(self.engine, e).returning(e.c.paper_id)
            return len(conn.execute(stmt, rows).all())

    def delete_embeddings(self, model: str | None = None) -> None:
        stmt = delete(paper_embeddings)
        if model is not None:
            stmt = stmt.where(paper_embeddings.c.model == model)
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def load_embeddings(self, model: str, dim: int, since: datetime | None = None) -> EmbeddingRows:
        """Embeddings of ``model`` whose vector or paper changed at or after ``since``
        (all when None): a paper's categories or date can change without its text."""
        e = paper_embeddings
        stmt = _rows_with_metadata(model)
        if since is not None:
            # Two indexed range reads, not one OR (which scans every embedding: ~90 ms
            # of CPU at 75k papers, paid by a search request every 2 seconds).
            changed = union(
                select(e.c.paper_id.label("pid")).where(
                    e.c.model == model, e.c.updated_at >= since
                ),
                select(papers.c.id.label("pid")).where(papers.c.last_changed >= since),
            ).subquery()
            stmt = stmt.where(e.c.paper_id.in_(select(changed.c.pid)))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return _embedding_rows(rows, dim, float32=True)

    def iter_embeddings(
        self, model: str, dim: int, page_size: int = 50_000
    ) -> Iterator[EmbeddingRows]:
        """Every embedding of ``model``, a page of ``page_size`` papers at a time in paper
        order, vectors kept as stored (float16): loading 2.7 million never holds them
        all as Python objects or float32 at once."""
        after = 0
        while True:
            stmt = _rows_with_metadata(model).where(papers.c.id > after).limit(page_size)
            with self.engine.connect() as conn:
                rows = conn.execute(stmt).all()
            if not rows:
                return
            yield _embedding_rows(rows, dim, float32=False)
            after = rows[-1][0]

    def embeddings_for(
        self, model: str, dim: int, paper_ids: Sequence[int]
    ) -> tuple[list[int], np.ndarray]:
        """The stored vectors of these papers (those that have one), in id order."""
        wanted = sorted(set(paper_ids))
        found_ids: list[int] = []
        blobs: list[bytes] = []
        e = paper_embeddings
        with self.engine.connect() as conn:
            for chunk in chunked(wanted):
                rows = conn.execute(
                    select(e.c.paper_id, e.c.vector)
                    .where(e.c.model == model, e.c.paper_id.in_(chunk))
                    .order_by(e.c.paper_id)
                )
                for pid, blob in rows:
                    found_ids.append(int(pid))
                    blobs.append(bytes(blob))
        return found_ids, decode_vectors(blobs, dim)
