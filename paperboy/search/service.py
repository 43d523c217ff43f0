"""Hybrid search: BM25 and embeddings, fused; similar papers; keeping indexes current.

One SearchService per process. The web app, the CLI and the benchmarks all go through
`SearchService.search`, so what the harness measures is what readers get.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

import numpy as np
from markupsafe import Markup

from paperboy.config import Settings
from paperboy.errors import PaperboyError
from paperboy.progress import progress
from paperboy.search.embed import DIM, Embedder, load_embedder, paper_text
from paperboy.search.fusion import reciprocal_rank_fusion
from paperboy.search.lexical import LexicalIndex
from paperboy.search.query import ParsedQuery
from paperboy.search.semantic import VectorIndex
from paperboy.store import Store, StoredPaper

log = logging.getLogger("paperboy.search")
Mode = Literal["hybrid", "lexical", "semantic"]
Sort = Literal["relevance", "date"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "semantic")
EMBED_BATCH = 64
STOPPABLE_BATCH = 4  # texts encoded between checks of the stop event (~0.2 s)
MAX_PAGE = 500
CONSTRAINT_CANDIDATES = 5000


def model_key(runtime: str) -> str:
    """The name embeddings of ``runtime`` are stored under (equal to Embedder.name)."""
    return f"minilm-{runtime}"


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: StoredPaper
    score: float
    snippet: Markup


@dataclass(slots=True)
class SearchResults:
    query: ParsedQuery
    mode: Mode
    sort: Sort
    page: int
    per_page: int
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    exact: StoredPaper | None = None  # the query was this paper's arXiv id
    notice: str | None = None  # e.g. semantic search unavailable, showing keyword results

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))


@dataclass(slots=True)
class IndexUpdate:
    indexed: int | None = 0  # None: another process holds the keyword index writer
    embedded: int = 0


class SearchService:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self.lexical = LexicalIndex(
            settings.resolved_index_dir / "lexical", title_boost=settings.title_boost
        )
        self._embedder: Embedder | None = None
        self._vectors: VectorIndex | None = None
        self._init_lock = threading.Lock()
        self._vectors_lock = threading.Lock()  # not _init_lock: loading the model is slow
        self._embed_lock = threading.Lock()
        self._embedded_upto: datetime | None = None  # papers' last change, all embedded

    # -- components, loaded on first use ----------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._init_lock:
                if self._embedder is None:
                    self._embedder = load_embedder(
                        self.settings.resolved_model_dir, self.settings.embedding_runtime
                    )
        return self._embedder

    @property
    def vectors(self) -> VectorIndex:
        if self._vectors is None:
            with self._vectors_lock:
                if self._vectors is None:
                    # Only stored vectors are needed, not the model: similar papers
                    # never wait for the model to load.
                    model = model_key(self.settings.embedding_runtime)
                    self._vectors = VectorIndex(self.store, model, DIM)
        return self._vectors

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.encode([text])[0], dtype=np.float32)

    # -- ranking ----------------------------------------------------------------------

    def ranked_ids(self, pq: ParsedQuery, mode: Mode, limit: int) -> list[tuple[str, float]]:
        """The best ``limit`` papers for the query, best first, with their scores."""
        if mode == "lexical" or not pq.has_text:
            hits = self.lexical.search(pq, limit=limit)
            return list(zip(hits.ids, hits.scores, strict=True))
        allowed = self._constraint_ids(pq)
        self.vectors.refresh()
        semantic = self.vectors.search(
            self.embed_query(pq.text),
            limit=limit,
            pq=pq,
            allowed_ids=allowed,
            min_score=self.settings.semantic_min_score,
        )
        if mode == "semantic":
            return list(zip(semantic.ids, semantic.scores, strict=True))
        lexical = self.lexical.search(pq, limit=limit)
        fused = reciprocal_rank_fusion(
            [lexical.ids, semantic.ids],
            [self.settings.fusion_lexical_weight, self.settings.fusion_semantic_weight],
            k=self.settings.fusion_k,
        )
        return fused[:limit]

    def _constraint_ids(self, pq: ParsedQuery) -> set[str] | None:
        """Phrases and author names are hard constraints: the semantic side may only
        rank papers that contain them."""
        if not (pq.phrases or pq.authors):
            return None
        hits = self.lexical.search(replace(pq, terms=[]), limit=CONSTRAINT_CANDIDATES)
        return set(hits.ids)

    def search(
        self,
        pq: ParsedQuery,
        *,
        mode: Mode = "hybrid",
        sort: Sort = "relevance",
        page: int = 1,
        per_page: int = 20,
        include_hidden: bool = False,
    ) -> SearchResults:
        """Papers an admin hid are left out unless ``include_hidden`` (for admins)."""
        results = SearchResults(pq, mode, sort, page, per_page)
        if pq.arxiv_id:
            results.exact = self.store.papers.get_paper(pq.arxiv_id)
            if results.exact is not None:
                results.total = 1
                results.hits = [SearchHit(results.exact, 1.0, Markup(""))]
            return results
        if pq.is_empty:
            return results
        self.lexical.refresh()
        # Hidden papers leave before paging, so pages are full and totals exact.
        hidden = frozenset[str]() if include_hidden else self.store.moderation.hidden_arxiv_ids()
        if mode == "lexical" or not pq.has_text:
            # Keyword results are paged by the index itself: every page is reachable.
            hits = self.lexical.search(
                pq,
                limit=per_page,
                offset=(page - 1) * per_page,
                by_date=sort == "date",
                exclude=hidden,
            )
            results.total = hits.total
            ranked = list(zip(hits.ids, hits.scores, strict=True))
        else:
            try:
                ranked = self.ranked_ids(pq, mode, self.settings.search_candidates)
            except PaperboyError as exc:
                log.error("semantic search unavailable: %s", exc.detail)
                results.notice = "Semantic search is unavailable; showing keyword matches."
                ranked = self.ranked_ids(pq, "lexical", self.settings.search_candidates)
            ranked = [r for r in ranked if r[0] not in hidden]
            results.total = len(ranked)
            if sort == "date":
                ranked = self._newest_first(ranked)
            start = (page - 1) * per_page
            ranked = ranked[start : start + per_page]
        papers = {
            a: p
            for a, p in self.store.papers.get_papers([arxiv_id for arxiv_id, _ in ranked]).items()
            if include_hidden or not p.hidden
        }
        shown = [papers[a] for a, _ in ranked if a in papers]
        snippets = self.lexical.snippets(pq, shown)
        results.hits = [
            SearchHit(papers[a], score, snippets[a]) for a, score in ranked if a in papers
        ]
        return results

    def _newest_first(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        papers = self.store.papers.get_papers([a for a, _ in ranked])
        return sorted(
            (r for r in ranked if r[0] in papers),
            key=lambda r: (papers[r[0]].announced or papers[r[0]].first_seen.date(), r[0]),
            reverse=True,
        )

    def similar(self, arxiv_id: str, limit: int = 10) -> list[tuple[StoredPaper, float]]:
        """Nearest papers by embedding, the paper itself excluded ([] until embedded)."""
        vectors = self.vectors
        vectors.refresh()
        vector = vectors.vector_of(arxiv_id)
        if vector is None:
            return []
        hits = vectors.search(vector, limit=limit, exclude=arxiv_id)
        papers = self.store.papers.get_papers(hits.ids)
        return [
            (papers[a], s)
            for a, s in zip(hits.ids, hits.scores, strict=True)
            if a in papers and not papers[a].hidden
        ]

    # -- keeping indexes current ------------------------------------------------------

    def embed_pending(
        self,
        *,
        show_progress: bool = False,
        limit: int | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Embed papers that have no embedding yet (or whose text changed), a batch per
        transaction: interrupted, it resumes where it stopped. With ``stop``, batches
        are small and it returns soon after ``stop`` is set."""
        if not self._embed_lock.acquire(blocking=False):
            return 0
        try:
            embedder = self.embedder
            done = 0
            total = self.store.embeddings.count_to_embed(embedder.name)
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
                    batch = self.store.embeddings.papers_to_embed(embedder.name, limit=size)
                    if not batch:
                        break
                    parts: list[np.ndarray] = []
                    for at in range(0, len(batch), step):
                        if parts and stop is not None and stop.is_set():
                            batch = batch[:at]  # keep what is encoded; stop after saving
                            break
                        texts = [paper_text(i.title, i.abstract) for i in batch[at : at + step]]
                        parts.append(embedder.encode(texts, batch_size=EMBED_BATCH))
                    vectors = np.concatenate(parts)
                    self.store.embeddings.save_embeddings(embedder.name, batch, vectors)
                    done += len(batch)
                    bar.update(len(batch))
            return done
        finally:
            self._embed_lock.release()

    def update(
        self,
        *,
        embed: bool = True,
        show_progress: bool = False,
        stop: threading.Event | None = None,
    ) -> IndexUpdate:
        """Bring every derived index up to date with the database (incremental); with
        ``stop``, return soon after it is set (the next update carries on)."""
        result = IndexUpdate(
            indexed=self.lexical.sync(self.store, show_progress=show_progress, stop=stop)
        )
        if embed and not (stop and stop.is_set()):
            # Nothing to embed unless papers changed since a run that left none behind:
            # an idle server skips the two scans of every paper that finding them costs.
            papers_at = self.store.papers.max_last_changed()
            if papers_at is None or papers_at != self._embedded_upto:
                result.embedded = self.embed_pending(show_progress=show_progress, stop=stop)
                if not (stop and stop.is_set()) and not self._embed_lock.locked():
                    self._embedded_upto = papers_at
            if self._vectors is not None:
                self._vectors.refresh(force=True)
        return result

    def rebuild(self, *, reembed: bool = False, show_progress: bool = False) -> IndexUpdate:
        """Recreate the keyword index from the database; with ``reembed`` recompute every
        embedding too (otherwise only missing ones)."""
        indexed = self.lexical.rebuild(self.store, show_progress=show_progress)
        if reembed:
            self._embedded_upto = None
            self.store.embeddings.delete_embeddings(self.embedder.name)
            self._vectors = None
        embedded = self.embed_pending(show_progress=show_progress)
        return IndexUpdate(indexed=indexed, embedded=embedded)
