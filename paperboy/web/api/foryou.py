"""``GET /api/for-you`` and the "Not interested" mark (PUT to set, DELETE to remove).

Recommendations come from paperboy.rank.foryou (see docs/ranking.md, "For you")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from paperboy.feed.tldr import tldrs_for
from paperboy.rank.foryou import Recommendation, feed_window, recommend_for_reader
from paperboy.store.tldr import PaperTldr
from paperboy.web.api.schemas import ErrorOut, PaperOut
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep, find_paper

router = APIRouter(
    prefix="/api",
    tags=["for you"],
    responses={
        401: {"model": ErrorOut, "description": "Not signed in"},
        403: {"model": ErrorOut, "description": "CSRF token missing"},
        404: {"model": ErrorOut, "description": "No such paper"},
    },
)


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


def _out(
    rec: Recommendation, base_url: str, upvotes: int | None, tldr: PaperTldr | None = None
) -> RecommendationOut:
    fields: dict[str, Any] = PaperOut.of(rec.paper, base_url, upvotes, tldr=tldr).model_dump()
    return RecommendationOut(**fields, score=round(rec.score, 4), reason=rec.reason)


@router.get("/for-you", response_model=ForYouOut, summary="Recommendations for you")
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
    tldrs = tldrs_for(store, (r.paper for r in recs))
    since, until = feed_window(store, settings.foryou_window_days)
    return ForYouOut(
        window_days=settings.foryou_window_days,
        since=since,
        until=until,
        papers=[
            _out(r, settings.base_url, totals.get(r.paper.id), tldrs.get(r.paper.id)) for r in recs
        ],
    )


@router.put(
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


@router.delete(
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
