"""Tables derived from papers or filled from outside sources: embeddings and topic maps,
code links with the GitHub repositories and their star snapshots, Hugging Face's counts,
TL;DR sentences, and author names. Every one can be rebuilt from the papers and the
sources (see docs/architecture.md, "Derived data"). Re-exported by ``models``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from paperboy.store.models_base import Base


class PaperEmbedding(Base):
    """Derived: a paper's embedding by one model, kept so restarts don't recompute it.
    ``text_hash`` is the paper's text_hash when the vector was computed."""

    __tablename__ = "paper_embeddings"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_paper_embeddings_model_updated", "model", "updated_at"),)


class TopicMap(Base):
    """Derived: the topic map of one period (``period`` as in /map?period=, e.g.
    2026-W26) for one embedding model, rebuilt by `paperboy map build`. ``fingerprint``
    hashes the inputs (papers, their embeddings, the previous period's), so a changed
    period is noticed; ``payload`` holds the clusters and the 2D points."""

    __tablename__ = "topic_maps"

    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    papers: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(DateTime)
    build_seconds: Mapped[float] = mapped_column(Float)


class CodeLinkRow(Base):
    """A code or project link of a paper, derived from its text (``paperboy.codelinks``)
    and rewritten when it changes. ``repo_key``: a GitHub link's lower-cased
    ``owner/name`` (the key of ``github_repos``), else None."""

    __tablename__ = "code_links"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(300))
    repo_key: Mapped[str | None] = mapped_column(String(300))
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_code_links_repo_key", "repo_key"),)


class GithubRepo(Base):
    """What GitHub last said about a repository that papers link to.

    ``key`` is the lower-cased ``owner/name`` as papers link it; ``full_name`` is the
    name GitHub reports (after a rename, the new one). ``status``: ``new`` (never asked),
    ``ok``, ``gone`` (404/451: recorded once, never asked again). ``etag`` makes the next
    request conditional (a 304 costs no quota)."""

    __tablename__ = "github_repos"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(8))
    stars: Mapped[int | None] = mapped_column(Integer)
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime)
    archived: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_github_repos_status_checked", "status", "checked_at"),)


class GithubStarSnapshot(Base):
    """A repository's star count on one day (the last one seen that day)."""

    __tablename__ = "github_star_snapshots"

    repo_key: Mapped[str] = mapped_column(
        ForeignKey("github_repos.key", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    stars: Mapped[int] = mapped_column(Integer)


code_links = cast(Table, CodeLinkRow.__table__)
github_repos = cast(Table, GithubRepo.__table__)
github_star_snapshots = cast(Table, GithubStarSnapshot.__table__)


class HfPaper(Base):
    """What Hugging Face's daily papers say about a paper, kept apart from local votes.

    ``upvotes`` and ``comments`` are HF's own counts as of ``synced_at`` (None: loaded
    from a file, e.g. the demo set, whose collection time is unknown). ``featured_on``
    is the day the paper was on HF's daily page (None when the source does not say).
    ``papers.imported_upvotes`` carries the same upvote number so that every count
    path adds it exactly once (see docs/ranking.md)."""

    __tablename__ = "hf_papers"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    upvotes: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    submitter: Mapped[str | None] = mapped_column(String(200))
    submitter_name: Mapped[str | None] = mapped_column(String(200))
    featured_on: Mapped[date | None] = mapped_column(Date)
    github_repo: Mapped[str | None] = mapped_column(Text)
    project_page: Mapped[str | None] = mapped_column(Text)
    ai_summary: Mapped[str | None] = mapped_column(Text)
    ai_keywords: Mapped[list[str]] = mapped_column(JSON)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_hf_papers_featured_on", "featured_on"),)


hf_papers = cast(Table, HfPaper.__table__)


class PaperTldr(Base):
    """A paper's TL;DR: the abstract sentence that states its contribution, chosen by
    ``paperboy.tldr`` (``method`` names the version) and rewritten with the text in the
    upsert's transaction. Derived data: ``paperboy tldr backfill`` rebuilds it."""

    __tablename__ = "paper_tldrs"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    sentence: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))


paper_tldrs = cast(Table, PaperTldr.__table__)


class Author(Base):
    """A name as papers spell it, under its key (``paperboy.store.author_names``): one
    row per key, not per person. ``name`` is the first spelling seen; ``surname`` is the
    key's last word, so names that may be initial variants of each other are one
    indexed lookup apart."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    surname: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300))

    __table_args__ = (Index("ix_authors_surname_key", "surname", "key"),)


class PaperAuthor(Base):
    """A paper's author at a byline position, rewritten with the paper's authors."""

    __tablename__ = "paper_authors"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_paper_authors_author_paper", "author_id", "paper_id"),)


authors = cast(Table, Author.__table__)
paper_authors = cast(Table, PaperAuthor.__table__)

paper_embeddings = cast(Table, PaperEmbedding.__table__)
topic_maps = cast(Table, TopicMap.__table__)
