"""The five MCP tools as plain functions over the store and the search service.

Each one parses its input, calls the domain function the web uses for the same thing
(``SearchService.search``, ``trending_list``, ``load_feed`` with ``day_picks``,
``SearchService.similar``) and returns an answer model; expected failures are
``PaperboyError`` (the server turns them into tool errors).

Nothing here writes to the database and nothing runs in the background. The keyword
index is a derived file: like ``paperboy search``, a call that searches first brings it
up to date, but for at most ``KEYWORD_SYNC_BUDGET`` seconds (a fresh index of a large
database is built over several calls, each saying how far it got). Embeddings are only
read: ``paperboy serve`` or ``paperboy index update`` computes them; while none exist,
semantic and hybrid search answer with keyword matches and say so.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from paperboy.arxiv import parse_arxiv_id
from paperboy.community.counts import hf_details
from paperboy.community.moderation import day_picks
from paperboy.config import Settings
from paperboy.errors import InvalidInput, NotFound
from paperboy.feed.listing import load_feed
from paperboy.feed.periods import parse_day
from paperboy.feed.trending import TrendingWeights, check_window, trending_list
from paperboy.library.citation import official_code_urls
from paperboy.mcp.models import (
    DailyAnswer,
    PaperDetails,
    PaperRow,
    SearchAnswer,
    SearchRow,
    SimilarAnswer,
    SimilarRow,
    TrendingAnswer,
    TrendingRow,
)
from paperboy.search.query import parse_query
from paperboy.search.service import Mode, SearchService, Sort
from paperboy.store import Store, StoredPaper

KEYWORD_SYNC_BUDGET = 8.0  # seconds one call may spend indexing new papers
KEYWORD_SYNC_EVERY = 5.0  # seconds between two looks for new papers to index
EMBEDDINGS_ELSEWHERE = (
    " This MCP server does not compute embeddings: `paperboy serve` (its background "
    "indexer) or `paperboy index update` does."
)


class _Deadline(threading.Event):
    """A stop event that is set once ``seconds`` have passed: ``LexicalIndex.sync``
    checks it between batches and stops after the batch in hand (each is committed)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._end = time.monotonic() + seconds

    def is_set(self) -> bool:
        return time.monotonic() >= self._end or super().is_set()


@dataclass
class PaperTools:
    settings: Settings
    store: Store
    search: SearchService
    _keyword_note: str | None = None
    _keywords_checked: float = field(default=-KEYWORD_SYNC_EVERY)
    _keyword_lock: threading.Lock = field(default_factory=threading.Lock)

    # -- shared --------------------------------------------------------------------------

    def _rows(self, papers: list[StoredPaper]) -> list[PaperRow]:
        totals = self.store.votes.vote_totals(p.id for p in papers)
        code = official_code_urls(self.store, papers)
        base = self.settings.base_url
        return [PaperRow.of(p, base, totals.get(p.id), code.get(p.id)) for p in papers]

    def find(self, raw_id: str) -> StoredPaper:
        """The stored paper for an id as people write it (a version or a URL is fine)."""
        arxiv_id, _ = parse_arxiv_id(raw_id)
        paper = self.store.papers.get_paper(arxiv_id)
        if paper is None:
            raise NotFound(
                f"no paper with id {arxiv_id} in this paperboy instance "
                "(search_papers finds papers by words)"
            )
        return paper

    def keyword_index_note(self) -> str | None:
        """Index the papers added since the last look (within the time budget); a note
        when the keyword index still lacks papers."""
        with self._keyword_lock:
            now = time.monotonic()
            if now - self._keywords_checked < KEYWORD_SYNC_EVERY:
                return self._keyword_note
            # None: another process (paperboy serve) holds the writer and is syncing.
            self.search.lexical.sync(self.store, stop=_Deadline(KEYWORD_SYNC_BUDGET))
            indexed, stored = self.search.lexical.num_docs, self.store.papers.count_papers()
            self._keyword_note = (
                f"The keyword index is catching up: {indexed:,} of {stored:,} papers are "
                "indexed so far; results will be complete in a few more calls."
                if indexed < stored
                else None
            )
            self._keywords_checked = time.monotonic()
            return self._keyword_note

    # -- the tools ---------------------------------------------------------------------

    def search_papers(
        self,
        query: str,
        *,
        mode: Mode = "hybrid",
        limit: int = 10,
        category: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: Sort = "relevance",
        has_code: bool = False,
    ) -> SearchAnswer:
        if not query.strip() and not (category or date_from or date_to or has_code):
            raise InvalidInput("the query must not be empty (give words, a filter or an id)")
        pq = parse_query(
            query,
            categories=[category] if category else None,
            date_from=parse_day(date_from) if date_from else None,
            date_to=parse_day(date_to) if date_to else None,
            has_code=has_code,
        )
        notes: list[str] = []
        keyword_note = self.keyword_index_note()
        if keyword_note:
            notes.append(keyword_note)
        used: Mode = mode if pq.has_text else "lexical"
        if used != "lexical":
            embedded, papers = self.search.embedding_progress()
            if embedded == 0 and papers > 0:
                used = "lexical"
                notes.append(
                    "Semantic search is not ready: no paper has an embedding yet, so these "
                    "are keyword matches." + EMBEDDINGS_ELSEWHERE
                )
        results = self.search.search(pq, mode=used, sort=sort, per_page=limit)
        if results.notice:
            used = "lexical"
            notes.append(results.notice)
        if results.warmup_notice:
            notes.append(results.warmup_notice + EMBEDDINGS_ELSEWHERE)
        papers_found = [h.paper for h in results.hits]
        rows = {r.id: r for r in self._rows(papers_found)}
        return SearchAnswer(
            query=query,
            mode=mode,
            mode_used="id" if results.exact is not None else used,
            total=results.total,
            matches=results.matches,
            exact=results.exact is not None,
            notes=notes,
            results=[
                SearchRow(
                    **rows[h.paper.arxiv_id].model_dump(),
                    score=round(h.score, 6),
                    snippet=h.snippet.striptags(),
                )
                for h in results.hits
            ],
        )

    def get_paper(self, arxiv_id: str) -> PaperDetails:
        paper = self.find(arxiv_id)
        return PaperDetails.of(
            paper,
            self.settings.base_url,
            self.store.votes.vote_totals([paper.id]).get(paper.id),
            self.store.code.links_for(paper.id),
            hf_details(self.store, paper),
        )

    def trending(
        self, *, window: int = 7, limit: int = 20, has_code: bool = False
    ) -> TrendingAnswer:
        check_window(window)
        answer = trending_list(
            self.store,
            window=window,
            limit=limit,
            weights=TrendingWeights.of(self.settings),
            has_code=has_code,
        )
        papers = [t.paper for t in answer.papers]
        code = official_code_urls(self.store, papers)
        base = self.settings.base_url
        note = None
        if answer.as_of is not None:
            note = (
                f"No paper was upvoted in the last {window} day(s); this is the ranking of "
                f"the {window} day(s) up to {answer.as_of.isoformat()}, the newest day with "
                "upvotes."
            )
        return TrendingAnswer(
            window=window,
            as_of=answer.as_of,
            note=note,
            papers=[
                TrendingRow(
                    **PaperRow.of(t.paper, base, t.upvotes, code.get(t.paper.id)).model_dump(),
                    rank=n,
                    score=round(t.score, 8),
                    why=t.why,
                )
                for n, t in enumerate(answer.papers, start=1)
            ],
        )

    def daily(
        self,
        *,
        date: str | None = None,
        sort: str = "newest",
        category: str | None = None,
        limit: int = 50,
        page: int = 1,
        has_code: bool = False,
    ) -> DailyAnswer:
        feed = load_feed(
            self.store,
            "day",
            date,
            category=category,
            page=page,
            page_size=limit,
            sort=sort,
            has_code=has_code,
        )
        if feed.period is None:
            return DailyAnswer(
                day=None,
                sort=sort,
                category=feed.category,
                total=0,
                page=1,
                pages=0,
                per_page=limit,
                papers=[],
            )
        # The day page lists the editors' picks above the day's papers (first page only).
        picks = day_picks(self.store, feed.period.start) if page == 1 else []
        return DailyAnswer(
            day=feed.period.start,
            sort=feed.sort,
            category=feed.category,
            total=feed.total,
            page=feed.page,
            pages=feed.pages,
            per_page=limit,
            previous_day=feed.prev.start if feed.prev else None,
            next_day=feed.next.start if feed.next else None,
            picks=self._rows(picks),
            papers=self._rows(feed.papers),
        )

    def similar_papers(self, arxiv_id: str, *, limit: int = 10) -> SimilarAnswer:
        paper = self.find(arxiv_id)
        self.keyword_index_note()
        found = self.search.similar(paper.arxiv_id, limit=limit)
        has_vector = self.search.vectors.vector_of(paper.arxiv_id) is not None
        basis = (
            "embeddings and keywords"
            if has_vector
            else "keywords only: this paper has no embedding yet." + EMBEDDINGS_ELSEWHERE
        )
        rows = {r.id: r for r in self._rows([p for p, _ in found])}
        return SimilarAnswer(
            id=paper.arxiv_id,
            title=paper.title,
            basis=basis,
            papers=[
                SimilarRow(**rows[p.arxiv_id].model_dump(), score=round(score, 6))
                for p, score in found
            ],
        )
