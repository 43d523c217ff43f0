"""Cosine-similarity search over paper embeddings held in memory.

The vectors live in two blocks (``vector_index.py``): the *base*, loaded from the
database at start, and a small *tail* of the rows stored since (new papers, changed
texts, categories or dates). The tail is always searched exactly, so a paper is found
within seconds of its embedding being stored (``refresh`` runs at most every 2 seconds);
a base row the tail replaces is masked out. When the tail reaches TAIL_LIMIT rows, the
base is reloaded from the database in a background thread while searches go on with the
old blocks.

The base is searched exactly (brute force in NumPy, about 3 ms a query at 100k papers)
below ``PAPERBOY_VECTOR_INDEX_THRESHOLD`` papers, and by level codes with exact
rescoring at or above it (docs/search.md, docs/deploy.md). A restart recomputes no
embedding: the vectors are read from the database.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from paperboy.clock import utcnow
from paperboy.search.query import ParsedQuery, day_number
from paperboy.search.vector_index import BlockRows, VectorBlock
from paperboy.store import Store

log = logging.getLogger("paperboy.search.semantic")
REFRESH_EVERY = 2.0
# Each read starts this far before the previous read began: a transaction that stamped
# its rows earlier but committed later is not missed (transactions, and clock skew
# between processes, are assumed shorter). Measured from the time of the read, not from
# the newest row: after a bulk load the newest minute can hold 100,000 rows, which
# would otherwise be re-read every 2 seconds until the next paper arrives.
OVERLAP = timedelta(seconds=60)
TAIL_LIMIT = 50_000  # rows beside the base before it is reloaded (an exact scan: ~3 ms)
DEFAULT_THRESHOLD = 200_000
DEFAULT_RESCORE = 8000


@dataclass(frozen=True, slots=True)
class VectorHits:
    ids: list[str]
    scores: list[float]
    total: int = 0  # papers that passed the filters and the score floor (all, not just ids)


@dataclass(frozen=True)
class _Snapshot:
    """Everything a search reads, replaced as a whole on refresh."""

    base: VectorBlock
    dead: np.ndarray  # base rows replaced by a tail row
    tail: VectorBlock
    size: int  # papers with a vector


_TailRow = tuple[np.ndarray, int, list[str]]  # vector, day number, categories


class VectorIndex:
    def __init__(
        self,
        store: Store,
        model: str,
        dim: int,
        *,
        threshold: int = DEFAULT_THRESHOLD,
        rescore: int = DEFAULT_RESCORE,
        tail_limit: int = TAIL_LIMIT,
    ) -> None:
        self.store, self.model, self.dim = store, model, dim
        self.threshold, self.rescore, self.tail_limit = threshold, rescore, tail_limit
        self._lock = threading.Lock()
        self._checked = 0.0
        self._since: datetime | None = None  # where the next read starts
        self._tail_rows: dict[str, _TailRow] = {}
        self._reloading = False
        # Moves with every new snapshot after the first load (what a search can find).
        self.generation = 0
        empty = VectorBlock.empty(dim)
        self._snap = _Snapshot(empty, np.zeros(0, bool), empty, 0)
        self.reload()
        self.generation = 0

    def __len__(self) -> int:
        return self._snap.size

    @property
    def approximate(self) -> bool:
        """Whether the base is searched by level codes (at or above the threshold)."""
        return self._snap.base.approximate

    def reload(self) -> None:
        """Load every stored vector into a new base (the tail starts empty)."""
        read_at = utcnow()
        ids: list[str] = []
        parts: list[np.ndarray] = []
        days: list[int] = []
        categories: list[list[str]] = []
        for page in self.store.embeddings.iter_embeddings(self.model, self.dim):
            ids.extend(page.arxiv_ids)
            parts.append(page.vectors)
            days.extend(day_number(d) for d in page.announced)
            categories.extend(page.categories)
        vectors = _joined(parts, self.dim)
        rows = BlockRows(ids, vectors, np.asarray(days, np.int32), categories)
        base = VectorBlock.build(rows, threshold=self.threshold, rescore=self.rescore)
        with self._lock:
            self._snap = _Snapshot(
                base, np.zeros(len(base), bool), VectorBlock.empty(self.dim), len(base)
            )
            self.generation += 1
            self._tail_rows = {}
            # Rows stored while the load ran are re-read by the next refresh.
            self._since = read_at - OVERLAP
            self._checked = 0.0
        if base.approximate:
            log.info("vector index: %d papers, level codes + exact rescoring", len(base))

    def _reload_in_background(self) -> None:
        try:
            self.reload()
        except Exception:  # the old blocks keep serving; the next refresh tries again
            log.exception("reloading the vector index failed")
        finally:
            self._reloading = False

    def refresh(self, force: bool = False) -> None:
        """Pick up embeddings stored since the last look (at most every 2 seconds)."""
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_EVERY:
            return
        # A search waits for another thread's refresh (it may be reading the rows the
        # search needs); a background reload holds the lock only to swap its blocks in.
        with self._lock:
            self._checked = now
            self._apply_changes()
            start_reload = len(self._tail_rows) >= self.tail_limit and not self._reloading
            if start_reload:
                self._reloading = True
        if start_reload:
            threading.Thread(
                target=self._reload_in_background, name="vector-reload", daemon=True
            ).start()

    def _apply_changes(self) -> None:
        read_at = utcnow()
        rows = self.store.embeddings.load_embeddings(self.model, self.dim, since=self._since)
        self._since = read_at - OVERLAP
        if not rows.arxiv_ids:
            return
        old = self._snap
        changed: dict[str, _TailRow] = {}
        for i, arxiv_id in enumerate(rows.arxiv_ids):
            vector, day, cats = rows.vectors[i], day_number(rows.announced[i]), rows.categories[i]
            if arxiv_id in old.tail.row_of:
                block, row = old.tail, old.tail.row_of[arxiv_id]
            else:
                block, row = old.base, old.base.row_of.get(arxiv_id, -1)
            if row < 0 or not block.same(row, vector, day, cats):
                changed[arxiv_id] = (vector, day, cats)
        if not changed:
            # The overlap re-reads the newest rows every time: nothing new, so the
            # snapshot is not rebuilt.
            return
        self._tail_rows.update(changed)
        dead = old.dead.copy()
        for arxiv_id in changed:
            base_row = old.base.row_of.get(arxiv_id)
            if base_row is not None:
                dead[base_row] = True
        tail_ids = list(self._tail_rows)
        tail = VectorBlock.build(
            BlockRows(
                tail_ids,
                np.stack([self._tail_rows[a][0] for a in tail_ids]),
                np.asarray([self._tail_rows[a][1] for a in tail_ids], np.int32),
                [self._tail_rows[a][2] for a in tail_ids],
            ),
            threshold=len(tail_ids) + 1,  # always exact
            rescore=self.rescore,
        )
        size = len(old.base) - int(np.count_nonzero(dead)) + len(tail)
        self._snap = _Snapshot(old.base, dead, tail, size)
        self.generation += 1

    def vector_of(self, arxiv_id: str) -> np.ndarray | None:
        snap = self._snap
        row = snap.tail.row_of.get(arxiv_id)
        if row is not None:
            return snap.tail.vector(row)
        row = snap.base.row_of.get(arxiv_id)
        return None if row is None or snap.dead[row] else snap.base.vector(row)

    def search(
        self,
        query_vector: np.ndarray,
        *,
        limit: int,
        pq: ParsedQuery | None = None,
        allowed_ids: set[str] | None = None,
        exclude: str | None = None,
        min_score: float = -1.0,
    ) -> VectorHits:
        """The ``limit`` nearest papers that pass the query's date and category filters
        (and are in ``allowed_ids`` when given)."""
        snap = self._snap
        if not snap.size or limit <= 0:
            return VectorHits([], [])
        date_range = None
        if pq is not None and (pq.date_from or pq.date_to):
            date_range = (day_number(pq.date_from) or 1, day_number(pq.date_to) or 99991231)
        categories = pq.categories if pq is not None else []
        id_sets = [s for s in (allowed_ids, pq.within if pq is not None else None) if s is not None]
        query = np.asarray(query_vector, np.float32)
        found: list[tuple[float, str]] = []
        total = 0
        for block, dead in ((snap.base, snap.dead), (snap.tail, None)):
            if not len(block):
                continue
            mask = block.mask(date_range, categories, id_sets)
            if dead is not None and dead.any():
                mask = ~dead if mask is None else mask & ~dead
            if exclude is not None and exclude in block.row_of:
                mask = np.ones(len(block), bool) if mask is None else mask.copy()
                mask[block.row_of[exclude]] = False
            rows, scores, count = block.scored(query, mask, min_score)
            total += count
            k = min(limit, len(scores))
            if k == 0:
                continue
            top = np.argpartition(-scores, k - 1)[:k]
            found.extend(
                (float(scores[i]), block.ids[int(rows[i])])
                for i in top
                if np.isfinite(scores[i]) and scores[i] >= min_score
            )
        found.sort(key=lambda hit: -hit[0])  # stable: equal scores keep block order
        found = found[:limit]
        return VectorHits([a for _, a in found], [s for s, _ in found], total)

    def cosines(self, query_vector: np.ndarray, ids: list[str]) -> dict[str, float]:
        """The query's cosine to each of ``ids`` that has an embedding."""
        pairs = [(a, v) for a in ids if (v := self.vector_of(a)) is not None]
        if not pairs:
            return {}
        values = np.stack([v for _, v in pairs]) @ np.asarray(query_vector, np.float32)
        return {a: float(x) for (a, _), x in zip(pairs, values, strict=True)}


def _joined(pages: list[np.ndarray], dim: int) -> np.ndarray:
    """The pages as one float16 matrix, each page let go once copied: at 2.7 million
    vectors ``np.concatenate`` held the pages and the result at once, 2 GB more at the
    peak of a load than the process keeps (measured: docs/deploy.md)."""
    out = np.empty((sum(len(p) for p in pages), dim), np.float16)
    at = 0
    pages.reverse()
    while pages:
        page = pages.pop()
        out[at : at + len(page)] = page
        at += len(page)
    return out
