"""Lists of papers: a period's feed, trending, search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from paperboy.errors import InvalidInput
from paperboy.feed.listing import load_feed
from paperboy.feed.periods import View
from paperboy.feed.tldr import tldrs_for
from paperboy.feed.trending import WINDOWS, TrendingWeights, check_window, trending_list
from paperboy.web.api.papers.common import MAX_TRENDING_PAGE, router
from paperboy.web.api.schemas import (
    FeedOut,
    PaperOut,
    SearchOut,
    SearchResultOut,
    TrendingOut,
    TrendingPaperOut,
    TrendingWeightsOut,
    TrendingWhyOut,
)
from paperboy.web.deps import (
    SearchDep,
    SettingsDep,
    StoreDep,
)
from paperboy.web.search_gate import SearchTurn
from paperboy.web.search_params import SearchParamsDep


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
            pattern=r"^\d{4}-\d{2}(-\d{2})?$",
        ),
    ] = None,
    cat: Annotated[
        str | None, Query(description="Only papers in this arXiv category", max_length=64)
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int | None, Query(ge=1, le=500, description="Papers per page")] = None,
    sort: Annotated[
        Literal["newest", "votes"],
        Query(description="`newest` (default) or `votes` (most upvotes first)"),
    ] = "newest",
    has_code: Annotated[bool, Query(description="Only papers that link a code repository")] = False,
) -> FeedOut:
    """The daily feed: papers announced on a day, in a week or in a month, newest first
    (or most upvoted first with `sort=votes`)."""
    result = load_feed(
        store,
        view,
        date,
        category=cat,
        page=page,
        page_size=limit or settings.page_size,
        sort=sort,
        has_code=has_code,
    )
    totals = store.votes.vote_totals(p.id for p in result.papers)
    tldrs = tldrs_for(store, result.papers)
    return FeedOut.of(result, view, settings.base_url, totals, tldrs)


@router.get(
    "/trending",
    response_model=TrendingOut,
    summary="Trending papers",
    tags=["community"],
)
def trending(
    store: StoreDep,
    settings: SettingsDep,
    window: Annotated[
        int,
        Query(
            description="Days to look back: 1, 7 or 30 (anything else: 422)",
            json_schema_extra={"enum": list(WINDOWS)},
        ),
    ] = 7,
    limit: Annotated[int, Query(ge=1, le=100, description="Papers per page")] = 20,
    page: Annotated[int, Query(ge=1, le=MAX_TRENDING_PAGE, description="Page, from 1")] = 1,
    has_code: Annotated[bool, Query(description="Only papers that link a code repository")] = False,
) -> TrendingOut:
    """Papers announced or voted for within the window, ranked by
    `points / (age_hours + offset) ** gravity`, where points add up HF upvotes, local
    votes and the square root of the stars the paper's official repository gained in
    the window, each with its weight (age since the announcement). See docs/ranking.md."""
    check_window(window)
    offset = (page - 1) * limit
    weights = TrendingWeights.of(settings)
    answer = trending_list(
        store,
        window=window,
        limit=offset + limit + 1,  # one more: is there a next page?
        weights=weights,
        has_code=has_code,
    )
    ranked = answer.papers
    shown = ranked[offset : offset + limit]
    tldrs = tldrs_for(store, (t.paper for t in shown))
    return TrendingOut(
        window=window,
        as_of=answer.as_of,
        gravity=weights.gravity,
        offset_hours=weights.offset_hours,
        weights=TrendingWeightsOut(hf=weights.hf, local=weights.local, stars=weights.stars),
        page=page,
        next_page=page + 1 if len(ranked) > offset + limit else None,
        papers=[
            TrendingPaperOut(
                **PaperOut.of(
                    t.paper, settings.base_url, t.upvotes, tldr=tldrs.get(t.paper.id)
                ).model_dump(),
                score=round(t.score, 8),
                why=TrendingWhyOut(
                    hf=t.hf,
                    here=t.here,
                    stars=t.star_gain,
                    stars_days=t.star_days if t.star_gain is not None else None,
                    text=t.why,
                ),
            )
            for t in shown
        ],
    )


@router.get("/search", response_model=SearchOut, summary="Search papers", tags=["search"])
def search(
    params: SearchParamsDep,
    search: SearchDep,
    store: StoreDep,
    settings: SettingsDep,
    _: SearchTurn,
    limit: Annotated[int, Query(ge=1, le=100, description="Results per page")] = 20,
) -> SearchOut:
    """Hybrid keyword + semantic search. A query that is an arXiv id or URL returns that
    paper alone, with `exact: true`."""
    filters = (params.cat, params.date_from, params.date_to, params.has_code)
    if not params.q.strip() and not any(filters):
        raise InvalidInput("q must not be empty")
    results = search.search(
        params.parsed(), mode=params.mode, sort=params.sort, page=params.page, per_page=limit
    )
    totals = store.votes.vote_totals(h.paper.id for h in results.hits)
    return SearchOut(
        query=params.q,
        mode=results.mode,
        sort=results.sort,
        total=results.total,
        matches=results.matches,
        total_text=results.count_text,
        embedded=results.warming_up[0] if results.warming_up else None,
        papers=results.warming_up[1] if results.warming_up else None,
        warmup_notice=results.warmup_notice,
        page=results.page,
        pages=results.pages,
        next_page=results.page + 1 if results.page < results.pages else None,
        exact=results.exact is not None,
        notice=results.notice,
        results=[
            SearchResultOut.of(
                h.paper, h.score, h.snippet, settings.base_url, totals.get(h.paper.id)
            )
            for h in results.hits
        ],
    )
