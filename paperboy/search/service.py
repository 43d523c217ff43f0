"""Hybrid search: BM25 and embeddings, fused; keeping indexes current; similar papers
(similar.py) through the same service.

One SearchService per process. The web app, the CLI and the benchmarks all go through
`SearchService.search`, so what the harness measures is what readers get.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime

import numpy as np
from markupsafe import Markup

from paperboy.config import Settings
from paperboy.errors import PaperboyError
from paperboy.search.embed import DIM, Embedder, load_embedder
from paperboy.search.embed_direct import EmbedRun, embed_papers
from paperboy.search.fusion import reciprocal_rank_fusion
from paperboy.search.lexical import LexicalHits, LexicalIndex
from paperboy.search.query import ParsedQuery
from paperboy.search.rerank import (
    DEPTH,
    FirstStage,
    Matrix,
    Reranker,
    candidate_features,
    load_reranker,
)
from paperboy.search.results import MAX_PAGE as MAX_PAGE
from paperboy.search.results import MODES as MODES
from paperboy.search.results import IndexUpdate as IndexUpdate
from paperboy.search.results import Mode as Mode
from paperboy.search.results import SearchHit as SearchHit
from paperboy.search.results import SearchResults as SearchResults
from paperboy.search.results import Sort as Sort
from paperboy.search.semantic import VectorHits, VectorIndex
from paperboy.search.similar import SIMILAR_SLACK, SimilarMethod, similar_ids, without_copies
from paperboy.search.snippets import snippets
from paperboy.store import Store, StoredPaper

log = logging.getLogger("paperboy.search")
# The embedding side of hybrid searches (see SearchService._ranked). Searches take turns
# per process (web/search_gate.py), so a few threads are enough.
_SEMANTIC_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-semantic")
CONSTRAINT_CANDIDATES = 5000
QUERY_CACHE_SIZE = 1024  # query embeddings kept (a few ms each to compute, 1.5 kB to keep)
COUNT_EVERY = 5.0  # seconds between recounts of the papers (for the warm-up notice)
CODE_IDS_FRESH = 30.0  # seconds the has:code id set is reused


def model_key(runtime: str) -> str:
    """The name embeddings of ``runtime`` are stored under (equal to Embedder.name)."""
    return f"minilm-{runtime}"


def _union(stage: FirstStage) -> list[str]:
    return list(dict.fromkeys([a for a, _ in stage.lexical] + [a for a, _ in stage.semantic]))


class SearchService:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self.lexical = LexicalIndex(
            settings.resolved_index_dir / "lexical",
            title_boost=settings.title_boost,
            proximity_max_docs=settings.keyword_proximity_max_papers,
        )
        self._embedder: Embedder | None = None
        self._vectors: VectorIndex | None = None
        self._init_lock = threading.Lock()
        self._vectors_lock = threading.Lock()  # not _init_lock: loading the model is slow
        self._embed_lock = threading.Lock()
        self._embedded_upto: datetime | None = None  # papers' last change, all embedded
        self.reranker: Reranker | None = load_reranker()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_lock = threading.Lock()
        self._paper_count: tuple[float, int] = (-COUNT_EVERY, 0)
        self._recounting = False
        self._lock = threading.Lock()  # small shared state: the has:code ids, the recount
        self._code_ids: tuple[float, frozenset[str]] | None = None

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
                    self._vectors = VectorIndex(
                        self.store,
                        model,
                        DIM,
                        threshold=self.settings.vector_index_threshold,
                        rescore=self.settings.vector_rescore,
                    )
        return self._vectors

    def embed_query(self, text: str) -> np.ndarray:
        """The query's embedding, from a small LRU cache when it was asked recently."""
        with self._query_cache_lock:
            cached = self._query_cache.get(text)
            if cached is not None:
                self._query_cache.move_to_end(text)
                return cached
        vector = np.asarray(self.embedder.encode([text])[0], dtype=np.float32)
        vector.setflags(write=False)
        with self._query_cache_lock:
            self._query_cache[text] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def clear_query_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the cold path)."""
        with self._query_cache_lock:
            self._query_cache.clear()

    def generation(self) -> tuple[int, int]:
        """Moves whenever what a search can find moves: the keyword index saw a new
        commit, or the vectors gained or changed rows since their first load (0 until
        then: the first load finds what the search would have found).
        A result page cached under another generation is stale. Looks for new commits
        and vectors first (each at most every second or two)."""
        self.lexical.refresh()
        vectors = self._vectors
        if vectors is None:
            return (self.lexical.generation, 0)
        vectors.refresh()
        return (self.lexical.generation, vectors.generation)

    def embedding_progress(self) -> tuple[int, int]:
        """(papers with an embedding loaded, papers in the database); the count is re-read
        at most every COUNT_EVERY seconds, after the first time in the background: at
        2.7M papers a count takes 60-140 ms, which one search in every few seconds
        would otherwise wait for."""
        embedded = len(self.vectors)
        checked, count = self._paper_count
        now = time.monotonic()
        if count == 0:
            count = self.store.papers.count_papers()
            self._paper_count = (now, count)
        elif now - checked >= COUNT_EVERY:
            with self._lock:
                start = not self._recounting
                self._recounting = True
            if start:
                _SEMANTIC_POOL.submit(self._recount)
        return embedded, max(count, embedded)

    def _recount(self) -> None:
        try:
            self._paper_count = (time.monotonic(), self.store.papers.count_papers())
        except Exception:  # the next search tries again; the old count stands meanwhile
            log.exception("counting the papers failed")
        finally:
            with self._lock:
                self._recounting = False

    # -- ranking ----------------------------------------------------------------------

    def ranked_ids(
        self, pq: ParsedQuery, mode: Mode, limit: int, *, rerank: bool | None = None
    ) -> list[tuple[str, float]]:
        """The best ``limit`` papers for the query, best first, with their scores.

        Hybrid reorders its top candidates with the reranker when one is shipped
        (``rerank`` None) or asked for (True); False gives the plain fusion."""
        return self._ranked(self._filters(pq), mode, limit, rerank)[0]

    def _filters(self, pq: ParsedQuery) -> ParsedQuery:
        """``pq`` with the filters that need the store resolved: ``author:`` names and
        ``has:code``."""
        return self._with_code_ids(self.resolve_authors(pq))

    def resolve_authors(self, pq: ParsedQuery) -> ParsedQuery:
        """``pq`` with its ``author:`` names resolved to papers by the store, the way
        the author pages resolve them (``store.authors``), so the two always agree."""
        if not pq.authors or pq.author_papers is not None:
            return pq
        found = [self.store.authors.arxiv_ids_of(" ".join(name)) for name in pq.authors]
        return replace(pq, author_papers=found)

    def _with_code_ids(self, pq: ParsedQuery) -> ParsedQuery:
        """For has:code, the query with the ids of the papers that link a code repository
        (every engine then ranks only those). The set is read at most every
        CODE_IDS_FRESH seconds: a new code link shows in has:code within that time."""
        if not pq.has_code:
            return pq
        now = time.monotonic()
        with self._lock:
            kept = self._code_ids
        if kept is None or now - kept[0] > CODE_IDS_FRESH:
            kept = (now, frozenset(self.store.code.arxiv_ids_with_code()))
            with self._lock:
                self._code_ids = kept
        return replace(pq, within=kept[1])

    def _ranked(
        self, pq: ParsedQuery, mode: Mode, limit: int, rerank: bool | None
    ) -> tuple[list[tuple[str, float]], int]:
        """Ranked papers and an estimate of how many papers match in all."""
        if mode == "lexical" or not pq.has_text:
            hits = self.lexical.search(pq, limit=limit)
            return list(zip(hits.ids, hits.scores, strict=True)), hits.total
        allowed = self._constraint_ids(pq)
        self.vectors.refresh()
        if mode == "semantic":
            _, semantic = self._semantic(pq, limit, allowed)
            return list(zip(semantic.ids, semantic.scores, strict=True))[:limit], semantic.total
        reranker = self.reranker if rerank is not False else None
        if rerank and reranker is None:
            raise ValueError("no reranker weights are installed")
        # The embedding side (the model, then the vector scan) runs in another thread
        # while this one asks the keyword index: both release the GIL for most of their
        # work (measured at 1M papers: 24 ms and 38 ms one after the other).
        pending = _SEMANTIC_POOL.submit(self._semantic, pq, limit, allowed)
        try:
            lexical = self.lexical.search(pq, limit=max(limit, DEPTH))
        finally:
            wait([pending])
        vector, semantic = pending.result()
        fused = reciprocal_rank_fusion(
            [lexical.ids, semantic.ids],
            [self.settings.fusion_lexical_weight, self.settings.fusion_semantic_weight],
            k=self.settings.fusion_k,
        )
        matches = max(lexical.total, semantic.total, len(fused))
        if reranker is None:
            return fused[:limit], matches
        stage = self.first_stage(pq, lexical.ids, lexical.scores, semantic)
        ids, x = candidate_features(stage, self.vectors.cosines(vector, _union(stage)))
        reranked = reranker.rerank(ids, x)
        seen = {a for a, _ in reranked}
        # Below the reranked candidates, the rest of the fused list keeps its order.
        floor = min((s for _, s in reranked), default=0.0)
        rest = [(a, floor - 1.0 - i) for i, (a, _) in enumerate(fused) if a not in seen]
        return (reranked + rest)[:limit], matches

    def _semantic(
        self, pq: ParsedQuery, limit: int, allowed: set[str] | None
    ) -> tuple[np.ndarray, VectorHits]:
        """The query's embedding and its nearest papers."""
        vector = self.embed_query(pq.text)
        return vector, self.vectors.search(
            vector,
            limit=max(limit, DEPTH),
            pq=pq,
            allowed_ids=allowed,
            min_score=self.settings.semantic_min_score,
        )

    def _field_searches(
        self, pq: ParsedQuery, candidates: list[str]
    ) -> tuple[LexicalHits, LexicalHits]:
        """BM25 on the title alone and on the abstract alone, for the candidates only
        (reranker features): two searches over a few hundred papers, not the index, and
        without the proximity bonus (matching word positions is what costs). The two run
        side by side (tantivy releases the GIL): by then the vector scan is done and the
        second core is free."""

        def field(name: str) -> LexicalHits:
            return self.lexical.search(
                pq, limit=len(candidates), fields=(name,), within=candidates, proximity=False
            )

        title = _SEMANTIC_POOL.submit(field, "title")
        try:
            abstract = field("abstract")
        finally:
            wait([title])
        return title.result(), abstract

    def candidates(self, pq: ParsedQuery) -> tuple[list[str], Matrix]:
        """The reranker's candidates for a query and their features (for training)."""
        pq = self._filters(pq)
        self.vectors.refresh()
        vector, semantic = self._semantic(pq, DEPTH, self._constraint_ids(pq))
        lexical = self.lexical.search(pq, limit=DEPTH)
        stage = self.first_stage(pq, lexical.ids, lexical.scores, semantic)
        return candidate_features(stage, self.vectors.cosines(vector, _union(stage)))

    def first_stage(
        self,
        pq: ParsedQuery,
        lexical_ids: list[str],
        lexical_scores: list[float],
        semantic: VectorHits,
    ) -> FirstStage:
        """Both engines' top DEPTH, plus BM25 on the title and on the abstract alone for
        the union of the two."""
        lexical = list(zip(lexical_ids[:DEPTH], lexical_scores[:DEPTH], strict=True))
        vector = list(zip(semantic.ids[:DEPTH], semantic.scores[:DEPTH], strict=True))
        candidates = list(dict.fromkeys([a for a, _ in lexical] + [a for a, _ in vector]))
        title, abstract = self._field_searches(pq, candidates)
        return FirstStage(
            lexical=lexical,
            semantic=vector,
            title=list(zip(title.ids, title.scores, strict=True)),
            abstract=list(zip(abstract.ids, abstract.scores, strict=True)),
        )

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
        pq = self.resolve_authors(pq)
        results = SearchResults(pq, mode, sort, page, per_page)
        pq = self._with_code_ids(pq)
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
                ranked, matches = self._ranked(pq, mode, self.settings.search_candidates, None)
                embedded, in_all = self.embedding_progress()
                if embedded < in_all:
                    results.warming_up = (embedded, in_all)
            except PaperboyError as exc:
                log.error("semantic search unavailable: %s", exc.detail)
                results.notice = "Semantic search is unavailable; showing keyword matches."
                ranked, matches = self._ranked(pq, "lexical", self.settings.search_candidates, None)
            ranked = [r for r in ranked if r[0] not in hidden]
            results.total = len(ranked)
            results.matches = matches if matches > len(ranked) else None
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
        marked = snippets(self.lexical, pq, shown)
        results.hits = [
            SearchHit(papers[a], score, marked[a]) for a, score in ranked if a in papers
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
        """Papers like this one: embedding neighbours and BM25 with the paper's own text
        as the query, fused; the paper and copies of it (same title) left out."""
        source = self.store.papers.get_paper(arxiv_id)
        ranked = self.similar_ids(arxiv_id, limit + SIMILAR_SLACK)
        papers = self.store.papers.get_papers([a for a, _ in ranked])
        return without_copies(source, ranked, papers, limit)

    def similar_ids(
        self, arxiv_id: str, limit: int, method: SimilarMethod = "hybrid"
    ) -> list[tuple[str, float]]:
        """Ranked neighbours of a paper (see similar.similar_ids)."""
        return similar_ids(self.vectors, self.lexical, arxiv_id, limit, method)

    # -- keeping indexes current ------------------------------------------------------

    def embed_pending(
        self,
        *,
        show_progress: bool = False,
        limit: int | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Embed papers without a current embedding (``embed_direct.embed_papers``),
        one run at a time: another caller meanwhile gets 0. How many were embedded."""
        return self.embed_run(show_progress=show_progress, limit=limit, stop=stop).embedded

    def embed_run(
        self,
        *,
        show_progress: bool = False,
        limit: int | None = None,
        stop: threading.Event | None = None,
    ) -> EmbedRun:
        """``embed_pending``, saying also which papers were skipped (poison)."""
        if not self._embed_lock.acquire(blocking=False):
            return EmbedRun()
        try:
            return embed_papers(
                self.store, self.embedder, show_progress=show_progress, limit=limit, stop=stop
            )
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
                run = self.embed_run(show_progress=show_progress, stop=stop)
                result.embedded, result.skipped = run.embedded, run.skipped
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
        run = self.embed_run(show_progress=show_progress)
        return IndexUpdate(indexed=indexed, embedded=run.embedded, skipped=run.skipped)
