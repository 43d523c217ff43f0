"""Models of what readers do together: votes, comments, submissions; the error shape."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    status: int = Field(examples=[404])
    title: str = Field(examples=["Not found"])
    detail: str = Field(examples=["no paper with id 2501.00000"])


class ErrorOut(BaseModel):
    """The one shape of every API error."""

    error: ErrorBody


class VoteOut(BaseModel):
    id: str = Field(examples=["2503.11731"])
    upvotes: int = Field(description="Upvotes after the toggle (imported counts included)")
    voted: bool = Field(description="Whether the signed-in account now votes for the paper")


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
