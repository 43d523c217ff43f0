"""The JSON API under /api (documented at /api/docs)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from paperboy.errors import InvalidInput
from paperboy.search.lexical import opening as _opening
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep, find_paper
from paperboy.web.feed import load_feed
from paperboy.web.periods import View
from paperboy.web.schemas import (
    ErrorOut,
    FeedOut,
    PaperOut,
    SearchOut,
    SearchResultOut,
    SimilarOut,
)
from paperboy.web.search_params import SearchParamsDep

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown paper"},
    422: {"model": ErrorOut, "description": "Invalid parameter"},
}
router = APIRouter(prefix="/api", tags=["papers"], responses={422: ERRORS[422]})


@router.get("/feed", response_model=FeedOut, summary="Papers announced in a period")
def feed(
    store: StoreDep,
    settings: SettingsDep,
    view: Annotated[View, Query(description="Length of the period")] = "day",
    date: Annotated[
        str | None,
        Query(
            description="A day in the period (YYYY-MM-DD; YYYY-MM for a month). "
            "Default: the newest day with papers.",
            examples=["2026-06-30"],
            max_length=10,
        ),
    ] = None,
    cat: Annotated[
        str | None, Query(description="Only papers in this arXiv category", max_length=64)
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int | None, Query(ge=1, le=500, description="Papers per page")] = None,
) -> FeedOut:
    """The daily feed: papers announced on a day, in a week or in a month, newest first."""
    result = load_feed(
        store, view, date, category=cat, page=page, page_size=limit or settings.page_size
    )
    return FeedOut.of(result, view, settings.base_url)


@router.get("/search", response_model=SearchOut, summary="Search papers", tags=["search"])
def search(
    params: SearchParamsDep,
    search: SearchDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Results per page")] = 20,
) -> SearchOut:
    """Hybrid keyword + semantic search. A query that is an arXiv id or URL returns that
    paper alone, with `exact: true`."""
    if not params.q.strip() and not params.cat and not params.date_from and not params.date_to:
        raise InvalidInput("q must not be empty")
    results = search.search(
        params.parsed(), mode=params.mode, sort=params.sort, page=params.page, per_page=limit
    )
    return SearchOut(
        query=params.q,
        mode=results.mode,
        sort=results.sort,
        total=results.total,
        page=results.page,
        pages=results.pages,
        exact=results.exact is not None,
        notice=results.notice,
        results=[
            SearchResultOut.of(h.paper, h.score, h.snippet, settings.base_url) for h in results.hits
        ],
    )


@router.get(
    "/papers/{arxiv_id:path}/similar",
    response_model=SimilarOut,
    summary="Papers similar to one paper",
    tags=["search"],
    responses={404: ERRORS[404]},
)
def similar(
    arxiv_id: str,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SimilarOut:
    """Nearest papers by embedding (the paper itself excluded). Empty until the paper's
    embedding is computed (seconds after ingest while `paperboy serve` runs)."""
    paper = find_paper(store, arxiv_id)
    found = search.similar(paper.arxiv_id, limit=limit)
    return SimilarOut(
        id=paper.arxiv_id,
        results=[
            SearchResultOut.of(p, s, _opening(p.abstract), settings.base_url) for p, s in found
        ],
    )


@router.get(
    "/papers/{arxiv_id:path}",
    response_model=PaperOut,
    summary="One paper",
    responses={404: ERRORS[404]},
)
def paper(arxiv_id: str, store: StoreDep, settings: SettingsDep) -> PaperOut:
    """A paper by arXiv id (`2503.11731`, with or without a version, or old-style
    `hep-th/9901001`)."""
    return PaperOut.of(find_paper(store, arxiv_id), settings.base_url)


class HealthOut(BaseModel):
    status: str = Field(examples=["ok"])
    papers: int = Field(description="Papers stored")
    latest_day: date | None = Field(None, description="Newest announcement day stored")


@router.get("/health", response_model=HealthOut, tags=["operations"], summary="Liveness")
def health(store: StoreDep) -> HealthOut:
    """For load balancers and monitoring: answers while the database answers."""
    return HealthOut(status="ok", papers=store.count_papers(), latest_day=store.latest_announced())
