"""API output models: what leaves the process, and nothing more (no internal ids)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from markupsafe import Markup
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from paperboy.community.counts import HfInfo, upvote_sources
from paperboy.feed.listing import Feed
from paperboy.store import StoredPaper
from paperboy.store.code import StoredCodeLink
from paperboy.store.library import LibraryEntry


class PaperLinks(BaseModel):
    abs: str = Field(description="arXiv abstract page")
    pdf: str = Field(description="arXiv PDF")
    doi: str | None = Field(None, description="Publisher page via doi.org")
    huggingface: str | None = None
    project: str | None = None


class CodeLinkOut(BaseModel):
    """A code or project link found in the paper's text (or given by Hugging Face)."""

    kind: str = Field(
        examples=["github"],
        description="github, gitlab, bitbucket, hf_model, hf_dataset, hf_space or project",
    )
    url: str = Field(examples=["https://github.com/owner/repo"])
    name: str | None = Field(None, description="owner/repo for repositories and HF entries")
    official: bool = Field(description="The repository most likely to be the paper's code")
    source: str = Field(description="Where it was found: abstract, comment or hf")
    stars: int | None = Field(None, description="GitHub stars at the last sync; null: never")
    stars_gained: int | None = Field(
        None, description="Stars gained over the last 7 days of snapshots; null: unknown"
    )
    stars_gained_since: date | None = Field(None, description="First day of that gain")
    pushed_at: datetime | None = Field(None, description="Last push (GitHub)")
    archived: bool | None = None
    license: str | None = Field(None, description="SPDX id of the repository's licence")
    full_name: str | None = Field(None, description="Name on GitHub now (after renames)")
    gone: bool = Field(False, description="GitHub answered 404: deleted or private")

    @classmethod
    def of(cls, link: StoredCodeLink) -> CodeLinkOut:
        repo = link.repo if link.repo is not None and link.repo.synced else None
        return cls(
            kind=link.kind,
            url=link.url,
            name=link.name,
            official=link.official,
            source=link.source,
            stars=repo.stars if repo else None,
            stars_gained=link.gain.gain if repo and link.gain else None,
            stars_gained_since=link.gain.since if repo and link.gain else None,
            pushed_at=repo.pushed_at if repo else None,
            archived=repo.archived if repo else None,
            license=repo.license if repo else None,
            full_name=repo.full_name if repo else None,
            gone=link.repo is not None and link.repo.status == "gone",
        )


class UpvoteSources(BaseModel):
    """Where ``upvotes`` come from; ``hf + here == upvotes``."""

    hf: int = Field(description="Upvotes on Hugging Face daily papers (as last synced)")
    here: int = Field(description="Upvotes by this instance's readers")


class HfOut(BaseModel):
    """What Hugging Face's daily papers say about the paper."""

    url: str = Field(description="The paper's page on Hugging Face")
    upvotes: int = Field(description="HF's upvote count")
    comments: int | None = Field(None, description="Comments on HF (None: not known)")
    submitter: str | None = Field(None, description="HF user who submitted it to daily papers")
    submitter_name: str | None = None
    featured_on: date | None = Field(None, description="Day it was on HF's daily papers page")
    github_repo: str | None = None
    project_page: str | None = None
    ai_summary: str | None = Field(None, description="Hugging Face's AI-written summary")
    ai_keywords: list[str] = Field(default_factory=list)
    synced_at: datetime | None = Field(
        None, description="When HF's counts were fetched (None: from a bundled file)"
    )

    @classmethod
    def of(cls, info: HfInfo) -> HfOut:
        return cls(
            url=info.hf_url,
            upvotes=info.upvotes,
            comments=info.comments,
            submitter=info.submitter,
            submitter_name=info.submitter_name,
            featured_on=info.featured_on,
            github_repo=info.github_repo,
            project_page=info.project_page,
            ai_summary=info.ai_summary,
            ai_keywords=info.ai_keywords,
            synced_at=info.synced_at,
        )


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
    upvotes_by_source: UpvoteSources | None = Field(
        None, description="`upvotes` split into Hugging Face's and this instance's"
    )
    url: str = Field(description="Paper page on this site")
    links: PaperLinks
    code: list[CodeLinkOut] | None = Field(
        None,
        description="Code and project links, official repository marked (on the single "
        "paper endpoint; null where not looked up)",
    )
    hf: HfOut | None = Field(
        None, description="Hugging Face daily papers' data (only on `/api/papers/{id}`)"
    )
    paper: dict[str, Any] | None = Field(
        None,
        description="The paper in Hugging Face's `paper` shape (authors as objects, "
        "`publishedAt`, `summary`, `upvotes`, `discussionId`), so "
        "`huggingface_hub`'s `paper_info` reads this endpoint (only on `/api/papers/{id}`)",
    )

    @classmethod
    def of(
        cls,
        paper: StoredPaper,
        base_url: str,
        upvotes: int | None = None,
        hf: HfInfo | None = None,
        *,
        code: list[StoredCodeLink] | None = None,
    ) -> PaperOut:
        total = paper.imported_upvotes if upvotes is None else upvotes
        sources = upvote_sources(paper, total)
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
            upvotes=total,
            upvotes_by_source=UpvoteSources(hf=sources.hf, here=sources.here),
            url=f"{base_url.rstrip('/')}/paper/{paper.arxiv_id}",
            hf=HfOut.of(hf) if hf is not None else None,
            links=PaperLinks(
                abs=paper.abs_url,
                pdf=paper.pdf_url,
                doi=f"https://doi.org/{paper.doi}" if paper.doi else None,
                huggingface=paper.links.get("huggingface"),
                project=paper.links.get("project"),
            ),
            code=None if code is None else [CodeLinkOut.of(link) for link in code],
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


class TrendingWhyOut(BaseModel):
    hf: int = Field(0, description="Hugging Face upvotes (synced or shipped with the demo)")
    here: int = Field(0, description="Upvotes by this instance's readers")
    text: str = Field(examples=["HF 55 · here 2"], description="The same, as shown on /trending")


class TrendingPaperOut(PaperOut):
    score: float = Field(description="votes / (age_hours + offset) ** gravity")
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


EXAMPLE_PAPER: JsonDict = {
    "id": "1706.03762",
    "version": 7,
    "title": "Attention Is All You Need",
    "abstract": "The dominant sequence transduction models are based on ...",
    "authors": ["Ashish Vaswani", "Noam Shazeer"],
    "categories": ["cs.CL", "cs.LG"],
    "primary_category": "cs.CL",
    "submitted": "2017-06-12T17:57:34",
    "updated": "2023-08-02T00:41:18",
    "announced": "2017-06-13",
    "comment": None,
    "journal_ref": None,
    "doi": None,
    "license": None,
    "upvotes": 12,
    "url": "https://paperboy.example.org/paper/1706.03762",
    "links": {
        "abs": "https://arxiv.org/abs/1706.03762",
        "pdf": "https://arxiv.org/pdf/1706.03762v7",
    },
}
EXAMPLE_ITEM: JsonDict = {
    "paper": EXAMPLE_PAPER,
    "note": "Section 3.2: why scale by sqrt(d_k).",
    "tags": ["Reading group", "Transformers"],
    "saved_at": "2026-07-01T09:30:00Z",
    "updated_at": "2026-07-02T18:05:11Z",
}


class LibraryItemOut(BaseModel):
    """A saved paper with the reader's private note and collections."""

    model_config = {"json_schema_extra": {"examples": [EXAMPLE_ITEM]}}

    paper: PaperOut
    note: str | None = Field(description="Private note (plain text), only for its reader")
    tags: list[str] = Field(description="Collections the paper is in, by name")
    saved_at: datetime = Field(description="When the paper was saved (UTC)")
    updated_at: datetime = Field(description="Last change of note or collections (UTC)")

    @classmethod
    def of(cls, entry: LibraryEntry, base_url: str, upvotes: int | None) -> LibraryItemOut:
        return cls(
            paper=PaperOut.of(entry.paper, base_url, upvotes),
            note=entry.note,
            tags=entry.tags,
            saved_at=entry.saved_at.replace(tzinfo=UTC),
            updated_at=entry.updated_at.replace(tzinfo=UTC),
        )


class CollectionOut(BaseModel):
    name: str = Field(examples=["Transformers"])
    count: int = Field(examples=[14], description="Saved papers in the collection")


class LibraryOut(BaseModel):
    total: int = Field(examples=[42], description="Saved papers matching the filters")
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
    collections: list[CollectionOut] = Field(description="All the reader's collections")
    items: list[LibraryItemOut]


class LibraryExportOut(BaseModel):
    """The JSON export of a library (``/library/export.json``)."""

    exported_at: datetime = Field(description="When the file was made (UTC)")
    collection: str | None = Field(description="The exported collection; null: all")
    count: int
    papers: list[LibraryItemOut] = Field(description="Oldest saved first")


class LibraryItemIn(BaseModel):
    """What to set on a saved paper. A field left out keeps its value (a new save has
    no collections and no note); ``tags`` replaces the paper's collections."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [{"tags": ["Reading group"], "note": "Compare with 2310.06825."}]
        },
    }

    tags: list[Annotated[str, Field(max_length=200)]] | None = Field(
        None, max_length=200, description="Collection names (1-64 characters each)"
    )
    note: str | None = Field(None, max_length=100_000, description="Private note; empty clears")
