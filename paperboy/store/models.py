"""Table definitions. The schema itself is created by the Alembic migrations; a test
checks that migrations and these models agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    primary_category: Mapped[str | None] = mapped_column(String(64))
    submitted: Mapped[datetime | None] = mapped_column(DateTime)
    updated: Mapped[datetime | None] = mapped_column(DateTime)
    announced: Mapped[date | None] = mapped_column(Date)
    # True when `announced` is inferred (from the submission date, or the day a paper
    # reached Hugging Face) rather than read from an arXiv listing; an exact date
    # replaces an estimated one.
    announced_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(Text)
    links: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_upvotes: Mapped[int] = mapped_column(Integer, default=0)
    # Hash of the stored content: a re-ingest of identical data is detected without
    # comparing every column.
    content_hash: Mapped[str] = mapped_column(String(64))
    # Hash of title + abstract: embeddings are recomputed only when this changes.
    text_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_changed: Mapped[datetime] = mapped_column(DateTime)
    # Set by an admin: the paper leaves the feed, search results and trending for
    # everyone but admins.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_papers_announced_id", "announced", "id"),
        Index("ix_papers_last_changed", "last_changed"),
    )


class PaperCategory(Base):
    """One row per (paper, category) so the feed can filter by any category portably."""

    __tablename__ = "paper_categories"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_paper_categories_category_paper", "category", "paper_id"),)


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


class SourceState(Base):
    """Watermarks and resumption points of harvesters, keyed by source."""

    __tablename__ = "source_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """An account. ``email`` is stored lower-cased; there are no passwords: people sign in
    with an emailed single-use link."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    affiliation: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime)


class LoginToken(Base):
    """An emailed sign-in link. Only the SHA-256 of the token is stored, so a copy of the
    database does not let anyone sign in. The rows double as the rate-limit log."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_login_tokens_email_created", "email", "created_at"),
        Index("ix_login_tokens_ip_created", "ip", "created_at"),
    )


papers = cast(Table, Paper.__table__)
paper_categories = cast(Table, PaperCategory.__table__)
source_state = cast(Table, SourceState.__table__)
paper_embeddings = cast(Table, PaperEmbedding.__table__)
users = cast(Table, User.__table__)
login_tokens = cast(Table, LoginToken.__table__)


class Vote(Base):
    """One account's upvote of one paper. Counts are always COUNT(*) of these rows (plus
    the paper's imported_upvotes), never a stored counter."""

    __tablename__ = "votes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_votes_paper_created", "paper_id", "created_at"),)


votes = cast(Table, Vote.__table__)


class Comment(Base):
    """A comment on a paper; ``parent_id`` makes it a reply (one level: replies always
    point at a top-level comment). ``deleted`` keeps a placeholder for a thread with
    replies; ``hidden`` is set by an admin."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_comments_paper_created", "paper_id", "created_at"),)


comments = cast(Table, Comment.__table__)


class Submission(Base):
    """A paper a reader submitted by arXiv id (at most one submission per paper)."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_submissions_user_created", "user_id", "created_at"),)


submissions = cast(Table, Submission.__table__)


class Pick(Base):
    """An editor's pick: a curator or admin features a paper on a day's page."""

    __tablename__ = "picks"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_picks_day", "day"),)


picks = cast(Table, Pick.__table__)
