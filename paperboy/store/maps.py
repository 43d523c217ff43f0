"""Topic maps (derived data): what a map of a period is computed from, and the cached
maps themselves (table ``topic_maps``, one row per period and embedding model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.store._rows import Repository
from paperboy.store.embeddings import decode_vectors
from paperboy.store.models import paper_embeddings, papers, topic_maps


@dataclass(frozen=True, slots=True)
class MapPapers:
    """The visible papers of a period that have an embedding, in id order."""

    arxiv_ids: list[str]
    titles: list[str]
    abstracts: list[str]
    vectors: np.ndarray  # float32, shape (n, dim)


@dataclass(frozen=True, slots=True)
class CachedMap:
    period: str
    fingerprint: str
    papers: int
    payload: dict[str, Any]
    built_at: datetime
    build_seconds: float


class MapStore(Repository):
    def _period_filter(self, start: date, end: date) -> list[Any]:
        return [
            papers.c.announced >= start,
            papers.c.announced <= end,
            papers.c.hidden.is_(False),
        ]

    def inputs_signature(self, model: str, start: date, end: date) -> tuple[list[str], int]:
        """``(paper id:vector text hash`` for every visible paper of the period with an
        embedding, in id order; the number of visible papers without one): what a
        fingerprint of the period is made of, without reading a vector."""
        e = paper_embeddings
        joined = papers.outerjoin(e, and_(e.c.paper_id == papers.c.id, e.c.model == model))
        stmt = (
            select(papers.c.id, e.c.text_hash)
            .select_from(joined)
            .where(*self._period_filter(start, end))
            .order_by(papers.c.id)
        )
        embedded: list[str] = []
        missing = 0
        with self.engine.connect() as conn:
            for pid, text_hash in conn.execute(stmt):
                if text_hash is None:
                    missing += 1
                else:
                    embedded.append(f"{pid}:{text_hash}")
        return embedded, missing

    def period_papers(self, model: str, dim: int, start: date, end: date) -> MapPapers:
        """Titles, abstracts and vectors of the period's visible embedded papers."""
        e = paper_embeddings
        stmt = (
            select(papers.c.arxiv_id, papers.c.title, papers.c.abstract, e.c.vector)
            .select_from(papers.join(e, and_(e.c.paper_id == papers.c.id, e.c.model == model)))
            .where(*self._period_filter(start, end))
            .order_by(papers.c.id)
        )
        ids: list[str] = []
        titles: list[str] = []
        abstracts: list[str] = []
        blobs: list[bytes] = []
        with self.engine.connect() as conn:
            for arxiv_id, title, abstract, blob in conn.execute(stmt):
                ids.append(arxiv_id)
                titles.append(title)
                abstracts.append(abstract or "")
                blobs.append(bytes(blob))
        return MapPapers(ids, titles, abstracts, decode_vectors(blobs, dim))

    def cached_map(self, period: str, model: str) -> CachedMap | None:
        t = topic_maps
        stmt = select(
            t.c.period, t.c.fingerprint, t.c.papers, t.c.payload, t.c.built_at, t.c.build_seconds
        ).where(t.c.period == period, t.c.model == model)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else CachedMap(*row)

    def save_map(
        self,
        period: str,
        model: str,
        fingerprint: str,
        payload: dict[str, Any],
        build_seconds: float,
    ) -> None:
        """Insert or replace the map of ``period`` (a racing builder's row is replaced:
        both computed the same inputs' map)."""
        t = topic_maps
        values = {
            "fingerprint": fingerprint,
            "papers": len(payload.get("papers", [])),
            "payload": payload,
            "built_at": utcnow(),
            "build_seconds": build_seconds,
        }
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    where = (t.c.period == period, t.c.model == model)
                    if not conn.execute(update(t).where(*where).values(**values)).rowcount:
                        conn.execute(insert(t).values(period=period, model=model, **values))
                return
            except IntegrityError:
                # Another builder inserted the same period meanwhile: update its row.
                if attempt == 2:
                    raise

    def map_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(topic_maps)).scalar_one())

    def delete_maps(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(topic_maps))
