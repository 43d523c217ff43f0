"""Output models of a paper: its links, code, upvotes by source and Hugging Face data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from paperboy.community.counts import HfInfo, upvote_sources
from paperboy.store import StoredPaper
from paperboy.store.code import StoredCodeLink
from paperboy.store.tldr import PaperTldr


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
    tldr: str | None = Field(
        None,
        description="One line on the paper: Hugging Face's AI summary when it has one, "
        "else the abstract sentence that states the contribution (docs/tldr.md); null "
        "without either or where not looked up",
    )
    tldr_source: str | None = Field(
        None,
        examples=["abstract"],
        description="`abstract` (a sentence of the abstract, chosen by paperboy) or "
        "`huggingface` (Hugging Face's AI-written summary; show it as theirs)",
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
        tldr: PaperTldr | None = None,
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
            tldr=tldr.text if tldr else None,
            tldr_source=("huggingface" if tldr.by_hf else "abstract") if tldr else None,
        )
