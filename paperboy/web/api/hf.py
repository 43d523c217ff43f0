"""``GET /api/daily_papers``: the Hugging Face daily papers API, served from paperboy.

Answers exactly the record shape of ``https://huggingface.co/api/daily_papers`` (a bare JSON
list; the same keys and JSON types at every level) so existing HF clients and scripts can
point at a paperboy site unchanged. paperboy's own ingester reads the answer back
(``paperboy ingest hf``), which a test checks.

How each field is filled (``null``/empty where paperboy has nothing to say):

* ``paper.id``: the arXiv id, no version.
* ``paper.authors[]``: ``name`` in byline order; ``hidden`` is always false; ``_id`` is an
  opaque, stable 24-hex id derived from (arXiv id, position, name): paperboy has no author
  accounts.
* ``paper.publishedAt`` and ``publishedAt``: arXiv submission of version 1 (else midnight UTC
  of the announcement day), as ``YYYY-MM-DDTHH:MM:SS.mmmZ``.
* ``paper.submittedOnDailyAt``: when a reader submitted the paper, else midnight UTC of the
  day it was announced, so the date part is always the day whose list holds the paper (the
  day ``?date=`` selects, and the day paperboy's HF ingester files it under).
* ``paper.title``/``title``, ``paper.summary``/``summary``: title and abstract (``""`` when
  there is no abstract).
* ``paper.upvotes``: imported upvotes plus paperboy community votes.
* ``paper.discussionId``: an opaque, stable 24-hex id of the paper's comment thread.
* ``thumbnail``: Hugging Face's social thumbnail for papers that came from Hugging Face
  (they have one there), else ``""``: paperboy renders no thumbnails.
* ``numComments``: visible (not deleted, not hidden) comments and replies on paperboy.
* ``submittedBy``: the paperboy reader who submitted the paper, or ``null`` for papers
  that came from a feed. ``_id`` is an opaque id keyed by the site's secret (never the
  internal account id), ``fullname`` and ``name`` are the display name, ``avatarUrl`` is
  ``""`` (no avatars), ``type`` is ``"user"``, ``isPro``/``isHf`` are false and ``isMod``
  is true for curators and admins.
* ``isAuthorParticipating``: always false (paperboy does not know authors' accounts).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from paperboy.config import Settings
from paperboy.feed.hf_daily import daily_page
from paperboy.search.quick import search_papers
from paperboy.store import Store, StoredPaper
from paperboy.store.hf import HfInfo
from paperboy.store.submissions import Submission
from paperboy.web.api.papers import ERRORS
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep

router = APIRouter(prefix="/api", tags=["hugging face compatible"])
HF_THUMBNAIL = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{}.png"
MAX_LIMIT = 100
MAX_PAGE = 10_000
_ID_LENGTH = 24  # Hugging Face ids are 24 hex digits (MongoDB ObjectIds)

EXAMPLE_RECORD: dict[str, Any] = {
    "paper": {
        "id": "2402.17764",
        "authors": [{"_id": "1e78c590e3757087ef7659f4", "name": "Shuming Ma", "hidden": False}],
        "publishedAt": "2024-02-27T18:56:19.000Z",
        "submittedOnDailyAt": "2024-02-28T00:00:00.000Z",
        "title": "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
        "summary": "Recent research, such as BitNet, is paving the way for a new era of "
        "1-bit Large Language Models (LLMs).",
        "upvotes": 553,
        "discussionId": "5b0cc1afb363fbd1aabf111b",
    },
    "publishedAt": "2024-02-27T18:56:19.000Z",
    "title": "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
    "summary": "Recent research, such as BitNet, is paving the way for a new era of "
    "1-bit Large Language Models (LLMs).",
    "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2402.17764.png",
    "numComments": 3,
    "submittedBy": {
        "_id": "60f1abe7544c2adfd699860c",
        "avatarUrl": "",
        "fullname": "Ada Lovelace",
        "name": "Ada Lovelace",
        "type": "user",
        "isPro": False,
        "isHf": False,
        "isMod": False,
    },
    "isAuthorParticipating": False,
}


class HfAuthor(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="Opaque stable id (paperboy has no author pages)")
    name: str
    hidden: bool = Field(False, description="Always false")


class HfPaper(BaseModel):
    id: str = Field(description="arXiv id without version", examples=["2402.17764"])
    authors: list[HfAuthor]
    publishedAt: str = Field(description="arXiv submission of version 1 (UTC)")
    submittedOnDailyAt: str = Field(
        description="When the paper joined the daily list: its reader submission, else "
        "midnight UTC of its announcement day"
    )
    title: str
    summary: str = Field(description="The abstract")
    upvotes: int = Field(description="Imported upvotes plus paperboy community votes")
    discussionId: str = Field(description="Opaque stable id of the paper's comment thread")


class HfUser(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="Opaque stable id of the paperboy account")
    avatarUrl: str = Field("", description="Always empty: paperboy has no avatars")
    fullname: str = Field(description="Display name")
    name: str = Field(description="Display name")
    type: str = Field("user", examples=["user"])
    isPro: bool = False
    isHf: bool = False
    isMod: bool = Field(description="The account is a paperboy curator or admin")


class HfDailyPaper(BaseModel):
    """One record of the Hugging Face ``/api/daily_papers`` list."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})

    paper: HfPaper
    publishedAt: str
    title: str
    summary: str
    thumbnail: str = Field(description="Hugging Face thumbnail for papers from HF, else empty")
    numComments: int = Field(description="Visible comments and replies on paperboy")
    submittedBy: HfUser | None = Field(
        description="The reader who submitted the paper; null for papers from a feed"
    )
    isAuthorParticipating: bool = Field(False, description="Always false")


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


@router.get(
    "/daily_papers",
    response_model=list[HfDailyPaper],
    summary="Daily papers, Hugging Face compatible",
    responses={422: ERRORS[422], 429: ERRORS[429]},
)
def daily_papers(
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    date: Annotated[
        str | None,
        Query(
            description="The day (YYYY-MM-DD). Default: the newest day with papers.",
            examples=["2026-06-30"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
        ),
    ] = None,
    week: Annotated[
        str | None,
        Query(description="An ISO week (YYYY-Www), Monday to Sunday", examples=["2026-W27"]),
    ] = None,
    month: Annotated[
        str | None, Query(description="A month (YYYY-MM)", examples=["2026-06"])
    ] = None,
    sort: Annotated[
        Literal["publishedAt", "trending"] | None,
        Query(
            description="`trending`: most upvoted first (the default); `publishedAt`: newest first"
        ),
    ] = None,
    submitter: Annotated[
        str | None,
        Query(
            description="Only papers this user put on the list: the Hugging Face user name, "
            "or a paperboy reader's display name",
            max_length=100,
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Papers per page")] = 50,
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description="Page number, from 0")] = 0,
) -> list[HfDailyPaper]:
    """The papers announced on one day (or in one ISO `week` or `month`), most upvoted
    first, in the record shape of `https://huggingface.co/api/daily_papers` (a bare list,
    as there), so Hugging Face clients (`HfApi(endpoint=...).list_daily_papers`) work
    against paperboy by changing the host. The total is in the `X-Total-Count` header and
    the next page (when there is one) in a `Link: rel="next"` header. Empty list for a
    period without papers."""
    found = daily_page(
        store, day=date, week=week, month=month, sort=sort, submitter=submitter, limit=limit, page=p
    )
    response.headers["X-Total-Count"] = str(found.total)
    if found.period is None:
        return []
    records = records_of(store, settings, found.papers)
    if (p + 1) * limit < found.total:
        given = {"date": date, "week": week, "month": month, "sort": sort, "submitter": submitter}
        if not any(given.values()):
            given["date"] = found.period.start.isoformat()
        query = urlencode({**{k: v for k, v in given.items() if v}, "limit": limit, "p": p + 1})
        response.headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return records


@router.get(
    "/papers/search",
    response_model=list[HfDailyPaper],
    summary="Search papers, Hugging Face compatible",
    responses={422: ERRORS[422]},
)
def papers_search(
    store: StoreDep,
    settings: SettingsDep,
    search: SearchDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Search words")],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most results")] = 50,
) -> list[HfDailyPaper]:
    """paperboy's hybrid search answered in the record shape of Hugging Face's
    `/api/papers/search` (`HfApi(endpoint=...).list_papers(query=...)`), best match first."""
    return records_of(store, settings, search_papers(search, q, limit=limit))
