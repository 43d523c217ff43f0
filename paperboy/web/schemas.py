"""API output models: what leaves the process, and nothing more (no internal ids)."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup
from pydantic import BaseModel, Field

from paperboy.store import StoredPaper
from paperboy.web.feed import Feed


class PaperLinks(BaseModel):
    abs: str = Field(description="arXiv abstract page")
    pdf: str = Field(description="arXiv PDF")
    doi: str | None = Field(None, description="Publisher page via doi.org")
    huggingface: str | None = None
    project: str | None = None


class PaperOut(BaseModel):
    id: str = Field(description="arXiv identifier without version", examples=["2503.11731"])
    version: int | None = Field(None, description="Latest known version number")
    title: str
    abstract: str | None
    authors: list[str] = Field(description="Authors in byline order")
    categories: list[str] = Field(description="arXiv categories, primary first")
    primary_category: str | None
    submitted: datetime | None = Field(None, description="Submission of version 1 (UTC)")
    updated: datetime | None = Field(None, description="Submission of the latest version")
    announced: date | None = Field(None, description="Day the paper was listed on arXiv")
    comment: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    upvotes: int = Field(description="Community upvotes (imported counts included)")
    url: str = Field(description="Paper page on this site")
    links: PaperLinks

    @classmethod
    def of(cls, paper: StoredPaper, base_url: str, upvotes: int | None = None) -> PaperOut:
        return cls(
            id=paper.arxiv_id,
            version=paper.version,
            title=paper.title,
            abstract=paper.abstract,
            authors=paper.authors,
            categories=paper.categories,
            primary_category=paper.primary_category,
            submitted=paper.submitted,
            updated=paper.updated,
            announced=paper.announced,
            comment=paper.comment,
            journal_ref=paper.journal_ref,
            doi=paper.doi,
            license=paper.license,
            upvotes=paper.imported_upvotes if upvotes is None else upvotes,
            url=f"{base_url.rstrip('/')}/paper/{paper.arxiv_id}",
            links=PaperLinks(
                abs=paper.abs_url,
                pdf=paper.pdf_url,
                doi=f"https://doi.org/{paper.doi}" if paper.doi else None,
                huggingface=paper.links.get("huggingface"),
                project=paper.links.get("project"),
            ),
        )


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
    def of(cls, feed: Feed, view: str, base_url: str, totals: dict[int, int]) -> FeedOut:
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
            papers=[PaperOut.of(p, base_url, totals.get(p.id)) for p in feed.papers],
        )


class ErrorBody(BaseModel):
    status: int = Field(examples=[404])
    title: str = Field(examples=["Not found"])
    detail: str = Field(examples=["no paper with id 2501.00000"])


class ErrorOut(BaseModel):
    """The one shape of every API error."""

    error: ErrorBody


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


class VoteOut(BaseModel):
    id: str = Field(examples=["2503.11731"])
    upvotes: int = Field(description="Upvotes after the toggle (imported counts included)")
    voted: bool = Field(description="Whether the signed-in account now votes for the paper")


class TrendingPaperOut(PaperOut):
    score: float = Field(description="votes / (age_hours + offset) ** gravity")


class TrendingOut(BaseModel):
    window: int = Field(examples=[7], description="Days the ranking looks back")
    gravity: float
    offset_hours: float
    page: int = Field(1, description="This page's number, from 1")
    next_page: int | None = Field(None, description="Number of the next page; null on the last")
    papers: list[TrendingPaperOut]


class CommentOut(BaseModel):
    id: int = Field(examples=[12])
    author: str | None = Field(
        description="The author's display name (null when deleted or hidden)"
    )
    created_at: datetime
    edited_at: datetime | None = Field(description="When the author last edited it, if ever")
    deleted: bool = Field(description="Deleted by its author (kept because it has replies)")
    hidden: bool = Field(description="Hidden by a moderator")
    html: str | None = Field(
        description="The body rendered to sanitised HTML (null when deleted or hidden)"
    )
    markdown: str | None = Field(description="The body as written (null when deleted or hidden)")
    replies: list[CommentOut] = Field(default_factory=list, description="Replies, oldest first")


class CommentsOut(BaseModel):
    id: str = Field(examples=["2503.11731"])
    count: int = Field(description="Visible comments and replies")
    comments: list[CommentOut] = Field(description="Top-level comments, oldest first")


class SubmissionIn(BaseModel):
    """A paper to submit, by arXiv id or URL."""

    arxiv_id: str = Field(
        min_length=1,
        max_length=500,
        description="arXiv id (with or without version) or abs/pdf URL",
        examples=["2503.11731", "https://arxiv.org/abs/2503.11731v2"],
    )
