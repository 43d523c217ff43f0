"""What the MCP tools answer: JSON-able models (each tool's ``outputSchema``).

Every count says where it comes from (``upvotes_hf`` + ``upvotes_here`` = ``upvotes``),
and nothing is filled in that the store does not hold: an unknown field is null.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from paperboy.community.counts import HfInfo, upvote_sources
from paperboy.library.citation import arxiv_html_url
from paperboy.store import StoredPaper
from paperboy.store.code import StoredCodeLink


def paper_url(base_url: str, arxiv_id: str) -> str:
    """The paper's page on this paperboy instance."""
    return f"{base_url.rstrip('/')}/paper/{arxiv_id}"


class PaperRow(BaseModel):
    """A paper in a list: enough to pick it, ``get_paper`` for the rest."""

    id: str = Field(description="arXiv identifier without version, e.g. 2503.11731")
    title: str
    authors: list[str] = Field(description="Authors in byline order")
    announced: date | None = Field(None, description="Day the paper was listed on arXiv")
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list, description="Primary first")
    upvotes: int = Field(description="Total upvotes: upvotes_hf + upvotes_here")
    upvotes_hf: int = Field(description="Upvotes on Hugging Face daily papers (as last synced)")
    upvotes_here: int = Field(description="Upvotes by this paperboy instance's readers")
    code_url: str | None = Field(None, description="The official code repository, if known")
    url: str = Field(description="The paper's page on this paperboy instance")
    abs_url: str = Field(description="The arXiv abstract page")

    @classmethod
    def of(
        cls,
        paper: StoredPaper,
        base_url: str,
        total: int | None,
        code_url: str | None = None,
    ) -> PaperRow:
        sources = upvote_sources(paper, total if total is not None else paper.imported_upvotes)
        return cls(
            id=paper.arxiv_id,
            title=paper.title,
            authors=paper.authors,
            announced=paper.announced,
            primary_category=paper.primary_category,
            categories=paper.categories,
            upvotes=sources.total,
            upvotes_hf=sources.hf,
            upvotes_here=sources.here,
            code_url=code_url,
            url=paper_url(base_url, paper.arxiv_id),
            abs_url=paper.abs_url,
        )


class SearchRow(PaperRow):
    score: float = Field(description="Relevance score of the mode used (higher is better)")
    snippet: str = Field(description="Where the query matches, as plain text")


class SearchAnswer(BaseModel):
    query: str
    mode: str = Field(description="The mode asked for: hybrid, lexical or semantic")
    mode_used: str = Field(
        description="The mode that ranked the results: lexical when semantic search is not "
        "ready (see notes)"
    )
    total: int = Field(description="Results that can be paged through")
    matches: int | None = Field(
        None, description="Papers matching in all when more than total (an estimate)"
    )
    exact: bool = Field(description="The query was an arXiv id or URL: that paper alone")
    notes: list[str] = Field(
        default_factory=list,
        description="What limits these results (semantic search warming up or unavailable, "
        "the keyword index catching up)",
    )
    results: list[SearchRow]


class UpvotesOut(BaseModel):
    total: int = Field(description="hf + here")
    hf: int = Field(description="Upvotes on Hugging Face daily papers (as last synced)")
    here: int = Field(description="Upvotes by this instance's readers")


class CodeOut(BaseModel):
    kind: str = Field(
        description="github, gitlab, bitbucket, hf_model, hf_dataset, hf_space, project"
    )
    url: str
    name: str | None = Field(None, description="owner/repo for repositories and HF entries")
    official: bool = Field(description="The repository most likely to be the paper's code")
    source: str = Field(description="Where it was found: abstract, comment or hf")
    stars: int | None = Field(None, description="GitHub stars at the last sync (null: never)")
    stars_gained_7d: int | None = Field(None, description="Stars gained over the last week")
    pushed_at: datetime | None = Field(None, description="Last push (GitHub)")
    license: str | None = None
    archived: bool | None = None

    @classmethod
    def of(cls, link: StoredCodeLink) -> CodeOut:
        repo = link.repo if link.repo is not None and link.repo.synced else None
        return cls(
            kind=link.kind,
            url=repo.url if repo else link.url,
            name=link.name,
            official=link.official,
            source=link.source,
            stars=repo.stars if repo else None,
            stars_gained_7d=link.gain.gain if repo and link.gain else None,
            pushed_at=repo.pushed_at if repo else None,
            license=repo.license if repo else None,
            archived=repo.archived if repo else None,
        )


class HfSummaryOut(BaseModel):
    """What Hugging Face's daily papers say about the paper."""

    url: str = Field(description="The paper's page on Hugging Face")
    upvotes: int
    comments: int | None = None
    submitter: str | None = Field(None, description="HF user who put it on daily papers")
    featured_on: date | None = Field(None, description="Day it was on HF's daily papers")
    ai_summary: str | None = Field(
        None, description="Hugging Face's AI-written summary (not the authors')"
    )
    ai_keywords: list[str] = Field(default_factory=list)
    synced_at: datetime | None = Field(
        None, description="When HF's counts were fetched (null: from a bundled file)"
    )

    @classmethod
    def of(cls, info: HfInfo) -> HfSummaryOut:
        return cls(
            url=info.hf_url,
            upvotes=info.upvotes,
            comments=info.comments,
            submitter=info.submitter_name or info.submitter,
            featured_on=info.featured_on,
            ai_summary=info.ai_summary,
            ai_keywords=info.ai_keywords,
            synced_at=info.synced_at,
        )


class LinksOut(BaseModel):
    page: str = Field(description="The paper's page on this paperboy instance")
    abs: str = Field(description="arXiv abstract page")
    pdf: str
    html: str = Field(description="arXiv's HTML rendering (when arXiv has made one)")
    doi: str | None = None
    huggingface: str | None = None


class PaperDetails(BaseModel):
    id: str
    version: int | None = None
    title: str
    authors: list[str]
    abstract: str | None
    categories: list[str]
    primary_category: str | None
    submitted: datetime | None = Field(None, description="Submission of version 1 (UTC)")
    updated: datetime | None = Field(None, description="Submission of the latest version")
    announced: date | None = Field(None, description="Day the paper was listed on arXiv")
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    upvotes: UpvotesOut
    code: list[CodeOut] = Field(description="Code and project links, official one marked")
    hf: HfSummaryOut | None = Field(None, description="null: never on HF's daily papers")
    links: LinksOut

    @classmethod
    def of(
        cls,
        paper: StoredPaper,
        base_url: str,
        total: int | None,
        code: list[StoredCodeLink],
        hf: HfInfo | None,
    ) -> PaperDetails:
        sources = upvote_sources(paper, total if total is not None else paper.imported_upvotes)
        return cls(
            id=paper.arxiv_id,
            version=paper.version,
            title=paper.title,
            authors=paper.authors,
            abstract=paper.abstract,
            categories=paper.categories,
            primary_category=paper.primary_category,
            submitted=paper.submitted,
            updated=paper.updated,
            announced=paper.announced,
            comment=paper.comment,
            journal_ref=paper.journal_ref,
            doi=paper.doi,
            upvotes=UpvotesOut(total=sources.total, hf=sources.hf, here=sources.here),
            code=[CodeOut.of(link) for link in code],
            hf=HfSummaryOut.of(hf) if hf is not None else None,
            links=LinksOut(
                page=paper_url(base_url, paper.arxiv_id),
                abs=paper.abs_url,
                pdf=paper.pdf_url,
                html=arxiv_html_url(paper),
                doi=f"https://doi.org/{paper.doi}" if paper.doi else None,
                huggingface=hf.hf_url if hf is not None else None,
            ),
        )


class TrendingRow(PaperRow):
    rank: int
    score: float = Field(description="The trending score (docs/ranking.md)")
    why: str = Field(description='Where the upvotes come from, e.g. "HF 55 · here 2"')


class TrendingAnswer(BaseModel):
    window: int = Field(description="Days looked back: 1, 7 or 30")
    as_of: date | None = Field(
        None,
        description="Set when the window ending today held no upvoted paper: the ranking "
        "is then of the window ending on this day (the newest day with upvotes)",
    )
    note: str | None = Field(None, description="The as_of explanation in words")
    papers: list[TrendingRow]


class DailyAnswer(BaseModel):
    day: date | None = Field(None, description="The day listed (null: no papers stored)")
    sort: str = Field(description="newest or votes")
    category: str | None = None
    total: int = Field(description="Papers announced that day (in the category)")
    page: int
    pages: int
    per_page: int
    previous_day: date | None = Field(None, description="The day before with papers")
    next_day: date | None = Field(None, description="The day after with papers")
    picks: list[PaperRow] = Field(
        default_factory=list, description="The editors' picks of the day, listed first"
    )
    papers: list[PaperRow]


class SimilarRow(PaperRow):
    score: float = Field(description="Similarity (fused rank score; higher is closer)")


class SimilarAnswer(BaseModel):
    id: str
    title: str
    basis: str = Field(
        description="What the neighbours were found by: embeddings and keywords, or "
        "keywords only while the paper has no embedding"
    )
    papers: list[SimilarRow]
