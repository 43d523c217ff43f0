"""The "For you" feed on the web: /for-you, the "Not interested" button and
GET /api/for-you.

Recommendations come from paperboy.rank.foryou (see docs/ranking.md, "For you"). The
"Not interested" form works without JavaScript (POST, then 303 back to a local ``next``);
the JSON API takes the mark with PUT and removes it with DELETE.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.community.votes import vote_view
from paperboy.rank.foryou import Recommendation, feed_window, recommend_for_reader
from paperboy.web.api.schemas import ErrorOut, PaperOut
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep, find_paper
from paperboy.web.rendering import render

PAGE = "/for-you"
router = APIRouter(include_in_schema=False)
api_router = APIRouter(
    prefix="/api",
    tags=["for you"],
    responses={
        401: {"model": ErrorOut, "description": "Not signed in"},
        403: {"model": ErrorOut, "description": "CSRF token missing"},
        404: {"model": ErrorOut, "description": "No such paper"},
    },
)


@router.get(PAGE, response_model=None)
def for_you_page(
    request: Request,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    user: CurrentReader,
) -> Response:
    """The signed-in reader's recommendations, each with the reason it was picked."""
    recs = recommend_for_reader(
        store,
        search,
        user.id,
        limit=settings.foryou_limit,
        window_days=settings.foryou_window_days,
    )
    has_seeds = bool(recs) or bool(store.recommend.reader_seeds(user.id))
    since, until = feed_window(store, settings.foryou_window_days)
    return render(
        request,
        "foryou.html",
        {
            "recs": recs,
            "reasons": {r.paper.id: r.reason for r in recs},
            "has_seeds": has_seeds,
            "since": since,
            "until": until,
            "votes": vote_view(store, user, [r.paper for r in recs]),
        },
    )


@router.post("/paper/{arxiv_id:path}/not-interested")
def not_interested_form(
    arxiv_id: str,
    store: StoreDep,
    user: CurrentUser,
    next: Annotated[str, Form(max_length=2000)] = "",
    undo: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """Mark (or with ``undo`` unmark) the paper, then go back to the local ``next``."""
    paper = find_paper(store, arxiv_id)
    back = safe_next(next) if next else PAGE
    if back == DEFAULT_AFTER_SIGN_IN and next != DEFAULT_AFTER_SIGN_IN:
        back = PAGE  # not a local path: never to another site
    if user is None:
        return RedirectResponse("/signin?" + urlencode({"next": back}), status_code=303)
    if undo:
        store.recommend.unmark_not_interested(user.id, paper.id)
    else:
        store.recommend.mark_not_interested(user.id, paper.id)
    return RedirectResponse(back, status_code=303)


# -- JSON API -------------------------------------------------------------------------


class RecommendationOut(PaperOut):
    score: float = Field(description="Relevance in [0, 1], recency decay applied", examples=[0.83])
    reason: str = Field(
        description="Why it was picked: the reader's most similar saved or upvoted paper",
        examples=["Because you saved “Attention Is All You Need”"],
    )


class ForYouOut(BaseModel):
    window_days: int = Field(examples=[7], description="Days of announcements considered")
    since: date = Field(examples=["2026-06-24"], description="First day of the window")
    until: date = Field(
        examples=["2026-06-30"], description="Last day: the newest announcement day"
    )
    papers: list[RecommendationOut]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "window_days": 7,
                    "since": "2026-06-24",
                    "until": "2026-06-30",
                    "papers": [
                        {
                            "id": "2506.16640",
                            "title": "A paper like the ones you saved",
                            "abstract": "…",
                            "authors": ["A. Author"],
                            "categories": ["cs.CL"],
                            "primary_category": "cs.CL",
                            "announced": "2026-06-30",
                            "comment": None,
                            "journal_ref": None,
                            "doi": None,
                            "license": None,
                            "upvotes": 3,
                            "url": "https://paperboy.example/paper/2506.16640",
                            "links": {
                                "abs": "https://arxiv.org/abs/2506.16640",
                                "pdf": "https://arxiv.org/pdf/2506.16640v1",
                            },
                            "score": 0.83,
                            "reason": "Because you saved “Attention Is All You Need”",
                        }
                    ],
                }
            ]
        }
    }


class NotInterestedOut(BaseModel):
    id: str = Field(examples=["2506.16640"])
    not_interested: bool = Field(description="Whether the mark is now set", examples=[True])


def _out(rec: Recommendation, base_url: str, upvotes: int | None) -> RecommendationOut:
    fields: dict[str, Any] = PaperOut.of(rec.paper, base_url, upvotes).model_dump()
    return RecommendationOut(**fields, score=round(rec.score, 4), reason=rec.reason)


@api_router.get("/for-you", response_model=ForYouOut, summary="Recommendations for you")
def for_you_api(
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    reader: CurrentReader,
    limit: Annotated[int | None, Query(ge=1, le=200, description="Papers to return")] = None,
) -> ForYouOut:
    """Recent papers (announced in the last `PAPERBOY_FORYOU_WINDOW_DAYS` days) ranked
    for the signed-in reader from their saved and upvoted papers, with "not interested"
    marks as negative feedback; each with a one-line reason. Empty until the reader saves
    or upvotes a paper. See docs/ranking.md."""
    recs = recommend_for_reader(
        store,
        search,
        reader.id,
        limit=min(limit or settings.foryou_limit, settings.foryou_limit),
        window_days=settings.foryou_window_days,
    )
    totals = store.votes.vote_totals(r.paper.id for r in recs)
    since, until = feed_window(store, settings.foryou_window_days)
    return ForYouOut(
        window_days=settings.foryou_window_days,
        since=since,
        until=until,
        papers=[_out(r, settings.base_url, totals.get(r.paper.id)) for r in recs],
    )


@api_router.put(
    "/papers/{arxiv_id:path}/not-interested",
    response_model=NotInterestedOut,
    summary="Mark a paper as not interesting",
)
def not_interested_put(arxiv_id: str, store: StoreDep, reader: CurrentReader) -> NotInterestedOut:
    """Negative feedback: the paper leaves your "For you" feed and similar papers rank
    lower (idempotent)."""
    paper = find_paper(store, arxiv_id)
    store.recommend.mark_not_interested(reader.id, paper.id)
    return NotInterestedOut(id=paper.arxiv_id, not_interested=True)


@api_router.delete(
    "/papers/{arxiv_id:path}/not-interested",
    response_model=NotInterestedOut,
    summary="Take back a not-interested mark",
)
def not_interested_delete(
    arxiv_id: str, store: StoreDep, reader: CurrentReader
) -> NotInterestedOut:
    """Remove the mark (idempotent)."""
    paper = find_paper(store, arxiv_id)
    store.recommend.unmark_not_interested(reader.id, paper.id)
    return NotInterestedOut(id=paper.arxiv_id, not_interested=False)
