"""Output models of lists of papers: the feed, search, similar papers, trending."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup
from pydantic import BaseModel, Field

from paperboy.feed.listing import Feed
from paperboy.store import StoredPaper
from paperboy.store.tldr import PaperTldr
from paperboy.web.api.schemas.papers import PaperOut


class CategoryCount(BaseModel):
    category: str
    count: int


class FeedOut(BaseModel):
    view: str = Field(examples=["day"])
    start: date | None = Field(description="First day of the period (None: no papers yet)")
    end: date | None
    category: str | None
    total: int = Field(description="Papers in the period (after the category filter)")
    page: int = Field(description="This page's number, from 1")
    pages: int = Field(description="Number of pages")
    next_page: int | None = Field(None, description="Number of the next page; null on the last")
    prev: str | None = Field(None, description="Key of the previous period with papers")
    next: str | None = Field(None, description="Key of the next period with papers")
    categories: list[CategoryCount] = Field(description="Primary categories in the period")
    sort: str = Field(examples=["newest"], description="`newest` or `votes`")
    papers: list[PaperOut]

    @classmethod
    def of(
        cls,
        feed: Feed,
        view: str,
        base_url: str,
        totals: dict[int, int],
        tldrs: dict[int, PaperTldr] | None = None,
    ) -> FeedOut:
        lines = tldrs or {}
        return cls(
            view=feed.period.view if feed.period else view,
            start=feed.period.start if feed.period else None,
            end=feed.period.end if feed.period else None,
            category=feed.category,
            total=feed.total,
            page=feed.page,
            pages=feed.pages,
            next_page=feed.page + 1 if feed.page < feed.pages else None,
            prev=feed.prev.key if feed.prev else None,
            next=feed.next.key if feed.next else None,
            categories=[CategoryCount(category=c, count=n) for c, n in feed.categories],
            sort=feed.sort,
            papers=[
                PaperOut.of(p, base_url, totals.get(p.id), tldr=lines.get(p.id))
                for p in feed.papers
            ],
        )


class SearchResultOut(BaseModel):
    id: str = Field(examples=["2506.16640"])
    title: str
    score: float = Field(description="Fused (reciprocal rank), BM25 or cosine score by mode")
    authors: list[str]
    categories: list[str]
    announced: date | None
    snippet: str = Field(description="Abstract excerpt, plain text")
    snippet_html: str = Field(description="The excerpt as HTML: escaped, matches in <mark>")
    upvotes: int = Field(description="Upvotes (imported counts included)")
    url: str

    @classmethod
    def of(
        cls,
        paper: StoredPaper,
        score: float,
        snippet: Markup,
        base_url: str,
        upvotes: int | None = None,
    ) -> SearchResultOut:
        return cls(
            id=paper.arxiv_id,
            title=paper.title,
            score=round(score, 6),
            authors=paper.authors,
            categories=paper.categories,
            announced=paper.announced,
            snippet=snippet.striptags(),
            snippet_html=str(snippet),
            upvotes=paper.imported_upvotes if upvotes is None else upvotes,
            url=f"{base_url.rstrip('/')}/paper/{paper.arxiv_id}",
        )


class SearchOut(BaseModel):
    query: str
    mode: str = Field(examples=["hybrid"])
    sort: str = Field(examples=["relevance"])
    total: int = Field(description="Ranked papers that can be paged through")
    matches: int | None = Field(
        None,
        description="Estimated number of matching papers when more match than are ranked "
        "(hybrid and semantic rank their best candidates only); null when `total` is all",
    )
    total_text: str = Field(
        "", description="The count as shown on the page", examples=["about 2,800 results"]
    )
    embedded: int | None = Field(
        None, description="While embeddings are being computed: papers embedded so far"
    )
    papers: int | None = Field(None, description="While embeddings warm up: papers in all")
    warmup_notice: str | None = Field(
        None, description="Set while semantic search is warming up (embeddings incomplete)"
    )
    page: int = Field(description="This page's number, from 1")
    pages: int = Field(description="Number of pages")
    next_page: int | None = Field(None, description="Number of the next page; null on the last")
    exact: bool = Field(description="The query was an arXiv id and this is that paper")
    notice: str | None = None
    results: list[SearchResultOut]


class SimilarOut(BaseModel):
    id: str
    results: list[SearchResultOut]


class TrendingWhyOut(BaseModel):
    hf: int = Field(0, description="Hugging Face upvotes (synced or shipped with the demo)")
    here: int = Field(0, description="Upvotes by this instance's readers")
    stars: int | None = Field(
        None,
        description="GitHub stars the paper's official repository gained within the "
        "window (null: no synced repository)",
    )
    stars_days: int | None = Field(
        None,
        description="Days the star gain spans (less than the window when the "
        "repository's first snapshot is younger)",
    )
    text: str = Field(
        examples=["HF 55 · ★ +340 this week · here 2"],
        description="The same, as shown on /trending",
    )


class TrendingWeightsOut(BaseModel):
    hf: float = Field(description="Points per Hugging Face upvote")
    local: float = Field(description="Points per local upvote")
    stars: float = Field(description="Points per square root of stars gained")


class TrendingPaperOut(PaperOut):
    score: float = Field(description="points / (age_hours + offset) ** gravity")
    why: TrendingWhyOut = Field(description="Where the paper's upvotes come from")


class TrendingOut(BaseModel):
    window: int = Field(examples=[7], description="Days the ranking looks back")
    as_of: date | None = Field(
        None,
        description="Set when the window ending today held no upvoted paper: the ranking "
        "is that of the window ending on this day, the newest with Hugging Face upvotes",
    )
    gravity: float
    offset_hours: float
    weights: TrendingWeightsOut
    page: int = Field(1, description="This page's number, from 1")
    next_page: int | None = Field(None, description="Number of the next page; null on the last")
    papers: list[TrendingPaperOut]
