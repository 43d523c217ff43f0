"""``GET/PUT/DELETE /api/following``: what the reader follows and the new papers from it
(paperboy.feed.following). A session (with its CSRF token) or an API token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from paperboy.feed.following import export_follows, follow, following_feed, unfollow
from paperboy.web.api.docs.examples import SUCCESS_EXAMPLES
from paperboy.web.api.schemas import ErrorOut, PaperOut
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in (no session or API token)"},
    403: {"model": ErrorOut, "description": "No CSRF token"},
    409: {"model": ErrorOut, "description": "Following as many things as allowed"},
    422: {"model": ErrorOut, "description": "Invalid kind, value or parameter"},
}
router = APIRouter(prefix="/api", tags=["following"], responses=ERRORS)
KindField = Literal["author", "category", "search"]


class FollowIn(BaseModel):
    kind: KindField = Field(examples=["author"])
    value: str = Field(
        max_length=1000,
        description="An author name, a category (cs.CL) or a search-box query",
        examples=["Yann LeCun"],
    )


class FollowOut(FollowIn):
    since: str = Field(description="When it was followed (UTC)", examples=["2026-06-30T08:00:00"])


class FollowedPaperOut(PaperOut):
    reasons: list[str] = Field(
        description="Why it is here", examples=[["by Yann LeCun", "matches ‘world models’"]]
    )


class FollowingOut(BaseModel):
    follows: list[FollowOut] = Field(description="Oldest first; the export format")
    limit: int = Field(description="How many follows are allowed (PAPERBOY_FOLLOWING_MAX)")
    since: date | None = Field(description="First day of the window (null: nothing followed)")
    until: date | None
    total: int = Field(description="New papers in the window")
    page: int
    pages: int
    papers: list[FollowedPaperOut] = Field(description="Newest first")


class FollowChangeOut(BaseModel):
    changed: bool = Field(description="False when it was already (un)followed")
    follows: int = Field(description="How many things the reader follows now")


EXAMPLE: dict[str, Any] = {
    "follows": [{"kind": "author", "value": "Yann LeCun", "since": "2026-06-30T08:00:00"}],
    "limit": 500,
    "since": "2026-06-24",
    "until": "2026-06-30",
    "total": 1,
    "page": 1,
    "pages": 1,
    "papers": [
        {**SUCCESS_EXAMPLES[("get", "/api/papers/{arxiv_id}")], "reasons": ["by Yann LeCun"]}
    ],
}


@router.get(
    "/following",
    response_model=FollowingOut,
    summary="What you follow, and its new papers",
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}},
)
def get_following(
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    reader: CurrentReader,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> FollowingOut:
    """The authors, categories and saved searches you follow (the JSON export: `follows`
    can be PUT back one by one or imported on /following) and the papers announced in the
    last `PAPERBOY_FOLLOWING_WINDOW_DAYS` days from them, newest first, each with its
    reasons ("by Yann LeCun", "in cs.CL", "matches ‘sparse attention’ cat:cs.CL")."""
    feed = following_feed(
        store,
        search,
        reader.id,
        window_days=settings.following_window_days,
        page=page,
        per_page=per_page,
    )
    totals = store.votes.vote_totals(f.paper.id for f in feed.papers)
    papers = []
    for f in feed.papers:
        out = PaperOut.of(f.paper, settings.base_url, totals.get(f.paper.id))
        papers.append(FollowedPaperOut(**out.model_dump(), reasons=f.reasons))
    return FollowingOut(
        follows=[FollowOut(**f) for f in export_follows(store, reader.id)["follows"]],
        limit=settings.following_max,
        since=feed.since,
        until=feed.until,
        total=feed.total,
        page=feed.page,
        pages=feed.pages,
        papers=papers,
    )


@router.put("/following", response_model=FollowChangeOut, summary="Follow something")
def put_following(
    body: FollowIn, store: StoreDep, settings: SettingsDep, reader: CurrentReader
) -> FollowChangeOut:
    """Follow an author name, a category or a search (idempotent: `changed` is false when
    it was already followed). 409 past `PAPERBOY_FOLLOWING_MAX`."""
    changed = follow(store, reader.id, body.kind, body.value, settings.following_max)
    return FollowChangeOut(changed=changed, follows=store.follows.count(reader.id))


@router.delete("/following", response_model=FollowChangeOut, summary="Unfollow something")
def delete_following(
    store: StoreDep,
    reader: CurrentReader,
    kind: Annotated[KindField, Query()],
    value: Annotated[str, Query(max_length=1000)],
) -> FollowChangeOut:
    """Stop following (`changed` is false when it was not followed)."""
    changed = unfollow(store, reader.id, kind, value)
    return FollowChangeOut(changed=changed, follows=store.follows.count(reader.id))
