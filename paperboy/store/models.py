"""Table definitions: papers, accounts and what readers do (votes, comments, picks,
digests, library, tokens, follows). Tables derived from papers or filled from outside
sources (embeddings, maps, code links, GitHub, Hugging Face, TL;DRs, authors) are in
``models_derived`` and re-exported here, so ``paperboy.store.models`` names every table.
The schema itself is created by the Alembic migrations; a test checks that migrations and
these models agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from paperboy.store.models_base import NAMING, Base


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
        # Author pages aggregate a name's papers from this index alone (migration 0015).
        Index(
            "ix_papers_author_page",
            "id",
            "hidden",
            "announced",
            "primary_category",
            "imported_upvotes",
        ),
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
    # Sessions are signed cookies naming the generation they were issued under; bumping
    # this (sign-out, "sign out everywhere", suspension) ends every earlier session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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

    __table_args__ = (
        Index("ix_votes_paper_created", "paper_id", "created_at"),
        Index("ix_votes_created", "created_at"),
    )


votes = cast(Table, Vote.__table__)


class ChangeCounter(Base):
    """A number bumped in the same transaction as every change of one kind (``votes``:
    a vote added or taken back; ``hidden``: a paper hidden or shown; ``stars``: a GitHub
    star snapshot; ``content``: a comment, pick or HF count written), so every process
    can tell with one row read whether what it cached is still current."""

    __tablename__ = "change_counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class VoteChange(Base):
    """Which paper the vote numbered ``seq`` (the ``votes`` counter after it) touched, so
    a process whose trending cache is a few votes behind re-reads only those papers.
    Only the newest few thousand are kept."""

    __tablename__ = "vote_changes"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    paper_id: Mapped[int] = mapped_column(Integer)


change_counters = cast(Table, ChangeCounter.__table__)
vote_changes = cast(Table, VoteChange.__table__)


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
    # The body rendered to safe HTML when written (None: rendered on first view).
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_comments_paper_created", "paper_id", "created_at"),
        Index("ix_comments_user_created", "user_id", "created_at"),  # rate limits
    )


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


class Subscription(Base):
    """A digest subscription, keyed by (lower-cased) email; an account is optional.

    ``status``: pending (waiting for the emailed confirmation), active, unsubscribed,
    bouncing (a permanent SMTP failure: nothing more is sent). Only the SHA-256 of the
    confirmation token is stored."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(8))  # daily (weekdays) | weekly
    weekday: Mapped[int] = mapped_column(Integer)  # weekly: 0 = Monday … 6 = Sunday
    categories: Mapped[list[str]] = mapped_column(JSON)
    include_keywords: Mapped[list[str]] = mapped_column(JSON)
    exclude_keywords: Mapped[list[str]] = mapped_column(JSON)
    max_papers: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    bounced_at: Mapped[datetime | None] = mapped_column(DateTime)
    bounce_reason: Mapped[str | None] = mapped_column(Text)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirm_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The client address that asked for the last confirmation or reminder email: the
    # per-IP limit of /subscribe counts these.
    confirm_ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_subscriptions_status", "status"),
        Index("ix_subscriptions_confirm_ip_sent", "confirm_ip", "confirm_sent_at"),
    )


class DigestOutbox(Base):
    """One digest for one subscription and one period (``2026-11-20`` for a daily
    digest, ``2026-W47`` for a weekly one). The unique pair makes a digest exactly-once:
    a rerun finds the row and never enqueues it again. ``status``: pending, sent,
    failed (gave up after retries), bounced (permanent failure), skipped (nothing to
    send, or the subscription ended before sending)."""

    __tablename__ = "digest_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("subscription_id", "period", name="uq_digest_outbox_subscription_period"),
        Index("ix_digest_outbox_status_next", "status", "next_attempt_at"),
    )


subscriptions = cast(Table, Subscription.__table__)
digest_outbox = cast(Table, DigestOutbox.__table__)


class LibraryItem(Base):
    """A paper a reader saved, with an optional private note."""

    __tablename__ = "library_items"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class LibraryTag(Base):
    """A saved paper's membership in one of the reader's named collections (tags)."""

    __tablename__ = "library_tags"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_library_tags_user_tag", "user_id", "tag"),)


class NotInterested(Base):
    """A reader's "not interested" mark: negative feedback for recommendations."""

    __tablename__ = "not_interested"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A personal token: ``kind`` api (Bearer token for the write API) or feed (the
    secret in a private feed URL). Only the SHA-256 is stored; revoking sets
    ``revoked_at``."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_api_tokens_user_kind", "user_id", "kind"),)


library_items = cast(Table, LibraryItem.__table__)
library_tags = cast(Table, LibraryTag.__table__)
not_interested = cast(Table, NotInterested.__table__)
api_tokens = cast(Table, ApiToken.__table__)


class Follow(Base):
    """A reader follows an author name, a category or a saved search. ``key`` is what
    makes two follows the same (a name's folded key, the category, the query as typed
    with spaces collapsed); ``value`` is shown and used."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # author, category, search
    key: Mapped[str] = mapped_column(String(1000))
    value: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("user_id", "kind", "key", name="uq_follows_user_id"),)


follows = cast(Table, Follow.__table__)


# Re-exported: every table is importable from here (and registered on Base.metadata,
# which the migrations compare against).
from paperboy.store.models_derived import (  # noqa: E402
    Author,
    CodeLinkRow,
    GithubRepo,
    GithubStarSnapshot,
    HfPaper,
    PaperAuthor,
    PaperEmbedding,
    PaperTldr,
    TopicMap,
    authors,
    code_links,
    github_repos,
    github_star_snapshots,
    hf_papers,
    paper_authors,
    paper_embeddings,
    paper_tldrs,
    topic_maps,
)
from paperboy.store.models_jobs import Job, jobs  # noqa: E402

__all__ = [
    "NAMING",
    "Author",
    "Base",
    "CodeLinkRow",
    "GithubRepo",
    "GithubStarSnapshot",
    "HfPaper",
    "Job",
    "PaperAuthor",
    "PaperEmbedding",
    "PaperTldr",
    "TopicMap",
    "authors",
    "code_links",
    "github_repos",
    "github_star_snapshots",
    "hf_papers",
    "jobs",
    "paper_authors",
    "paper_embeddings",
    "paper_tldrs",
    "topic_maps",
]
