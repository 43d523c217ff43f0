"""paperboy's papers as Hugging Face records (opaque ids, timestamps, submitters)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from paperboy.config import Settings
from paperboy.feed.hf_daily import daily_page
from paperboy.store import Store, StoredPaper
from paperboy.store.hf import HfInfo
from paperboy.store.submissions import Submission
from paperboy.web.api.hf.models import HfAuthor, HfDailyPaper, HfPaper, HfUser

HF_THUMBNAIL = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{}.png"


_ID_LENGTH = 24  # Hugging Face ids are 24 hex digits (MongoDB ObjectIds)


def hf_timestamp(value: datetime) -> str:
    """Hugging Face's timestamp format: UTC with milliseconds and a Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _opaque_id(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_ID_LENGTH]


def _account_id(settings: Settings, user_id: int) -> str:
    """Stable per site, but neither the internal id nor guessable from it."""
    key = settings.secret_key.encode()
    return hmac.new(key, f"hf-user:{user_id}".encode(), hashlib.sha256).hexdigest()[:_ID_LENGTH]


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time()) if day else None


def hf_record(
    paper: StoredPaper,
    *,
    upvotes: int,
    comments: int,
    submission: Submission | None,
    settings: Settings,
    hf: HfInfo | None = None,
) -> HfDailyPaper:
    published = paper.submitted or _midnight(paper.announced) or paper.first_seen
    on_daily = (
        submission.created_at if submission else _midnight(paper.announced) or paper.first_seen
    )
    summary = paper.abstract or ""
    submitter = None
    if submission is not None:
        user = submission.user
        submitter = HfUser(
            id=_account_id(settings, user.id),
            fullname=user.display_name,
            name=user.display_name,
            isMod=user.is_curator,
        )
    elif hf is not None and hf.submitter:
        submitter = HfUser(
            id=_opaque_id("hf-user", hf.submitter),
            fullname=hf.submitter_name or hf.submitter,
            name=hf.submitter,
            isMod=False,
        )
    return HfDailyPaper(
        paper=HfPaper(
            id=paper.arxiv_id,
            authors=[
                HfAuthor(id=_opaque_id(paper.arxiv_id, str(i), name), name=name)
                for i, name in enumerate(paper.authors)
            ],
            publishedAt=hf_timestamp(published),
            submittedOnDailyAt=hf_timestamp(on_daily),
            title=paper.title,
            summary=summary,
            upvotes=upvotes,
            discussionId=_opaque_id("discussion", paper.arxiv_id),
        ),
        publishedAt=hf_timestamp(published),
        title=paper.title,
        summary=summary,
        thumbnail=HF_THUMBNAIL.format(paper.arxiv_id) if "huggingface" in paper.links else "",
        numComments=comments,
        submittedBy=submitter,
        isAuthorParticipating=False,
    )


def records_of(
    store: Store, settings: Settings, papers: Sequence[StoredPaper]
) -> list[HfDailyPaper]:
    """HF records of stored papers, with votes, comments, the submitter and HF's fields."""
    ids = [p.id for p in papers]
    totals = store.votes.vote_totals(ids)
    comments = store.comments.comment_counts(ids)
    submitted = store.submissions.submissions_of(ids)
    hf = store.hf.get_many(ids)
    return [
        hf_record(
            p,
            upvotes=totals.get(p.id, p.imported_upvotes),
            comments=comments.get(p.id, 0),
            submission=submitted.get(p.id),
            settings=settings,
            hf=hf.get(p.id),
        )
        for p in papers
    ]


def daily_records(
    store: Store, settings: Settings, day: date, *, limit: int, page: int
) -> tuple[list[HfDailyPaper], int]:
    """One page of the day's papers (most upvoted first) as HF records, and the day's total."""
    found = daily_page(store, day=day.isoformat(), limit=limit, page=page)
    return records_of(store, settings, found.papers), found.total
