"""The JSON API under /api (documented at /api/docs)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from paperboy.community.comments import DELETED, CommentView, comment_threads
from paperboy.community.counts import hf_details
from paperboy.community.submissions import submit_arxiv_paper
from paperboy.errors import InvalidInput
from paperboy.feed.listing import load_feed
from paperboy.feed.periods import View
from paperboy.feed.trending import WINDOWS, check_window, trending_list
from paperboy.search.lexical import opening as _opening
from paperboy.web.api.schemas import (
    CommentOut,
    CommentsOut,
    ErrorOut,
    FeedOut,
    PaperOut,
    SearchOut,
    SearchResultOut,
    SimilarOut,
    SubmissionIn,
    TrendingOut,
    TrendingPaperOut,
    TrendingWhyOut,
    VoteOut,
)
from paperboy.web.deps import (
    ArxivDep,
    CurrentReader,
    SearchDep,
    SettingsDep,
    StoreDep,
    find_paper,
)
from paperboy.web.search_params import SearchParamsDep

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Unknown or revoked API token"},
    403: {"model": ErrorOut, "description": "Not signed in (no token), or no CSRF token"},
    404: {"model": ErrorOut, "description": "Unknown paper"},
    422: {"model": ErrorOut, "description": "Invalid parameter"},
    429: {
        "model": ErrorOut,
        "description": "Over a rate limit; retry after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
MAX_TRENDING_PAGE = 50  # trending ranks the window's candidates in memory: a bounded depth
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {c: ERRORS[c] for c in (401, 403, 429)}
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
    )
    totals = store.votes.vote_totals(p.id for p in result.papers)
    return FeedOut.of(result, view, settings.base_url, totals)


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
) -> TrendingOut:
    """Papers announced or voted for within the window, ranked by
    `votes / (age_hours + offset) ** gravity` (votes: imported + community upvotes;
    age since the announcement). See docs/ranking.md."""
    check_window(window)
    offset = (page - 1) * limit
    answer = trending_list(
        store,
        window=window,
        limit=offset + limit + 1,  # one more: is there a next page?
        gravity=settings.trending_gravity,
        offset_hours=settings.trending_offset_hours,
    )
    ranked = answer.papers
    shown = ranked[offset : offset + limit]
    return TrendingOut(
        window=window,
        as_of=answer.as_of,
        gravity=settings.trending_gravity,
        offset_hours=settings.trending_offset_hours,
        page=page,
        next_page=page + 1 if len(ranked) > offset + limit else None,
        papers=[
            TrendingPaperOut(
                **PaperOut.of(t.paper, settings.base_url, t.upvotes).model_dump(),
                score=round(t.score, 8),
                why=TrendingWhyOut(hf=t.hf, here=t.here, text=t.why),
            )
            for t in shown
        ],
    )


@router.post(
    "/papers/{arxiv_id:path}/vote",
    response_model=VoteOut,
    summary="Toggle your upvote",
    tags=["community"],
    responses={
        **WRITE_ERRORS,
        401: {"model": ErrorOut, "description": "Not signed in, or an unknown API token"},
        403: {"model": ErrorOut, "description": "Signed in by cookie without a CSRF token"},
        404: ERRORS[404],
    },
)
def vote(arxiv_id: str, store: StoreDep, user: CurrentReader) -> VoteOut:
    """Adds the account's upvote, or takes it back when it exists. Needs an API token
    (`Authorization: Bearer <token>`), or the session cookie and its CSRF token in the
    `X-CSRF-Token` header (without either: 401)."""
    paper = find_paper(store, arxiv_id)
    result = store.votes.toggle_vote(user.id, paper.id)
    return VoteOut(id=paper.arxiv_id, upvotes=result.upvotes, voted=result.voted)


@router.post(
    "/submissions",
    response_model=PaperOut,
    status_code=201,
    summary="Submit a paper from arXiv",
    tags=["community"],
    responses={
        **WRITE_ERRORS,
        404: {"model": ErrorOut, "description": "arXiv does not know the paper"},
        409: {"model": ErrorOut, "description": "The paper is already on paperboy"},
        422: {"model": ErrorOut, "description": "Not an arXiv id, or the paper is too old"},
        429: {
            "model": ErrorOut,
            "description": "Over a rate limit or the daily submission limit; retry after "
            "`Retry-After` seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
        502: {"model": ErrorOut, "description": "arXiv could not be reached"},
        503: {
            "model": ErrorOut,
            "description": "arXiv asked paperboy to wait, or too many lookups run; retry "
            "after `Retry-After` seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
)
def submit(
    body: SubmissionIn,
    store: StoreDep,
    settings: SettingsDep,
    arxiv: ArxivDep,
    user: CurrentReader,
) -> PaperOut:
    """Fetches the paper's metadata from arXiv and puts it on today's page, credited to
    the account (the same rules as the /submit form: recent papers only, a few a day,
    a bounded number of arXiv lookups an hour). When arXiv asks paperboy to wait, or too
    many lookups run, the answer is 503 with `Retry-After` at once."""
    stored = submit_arxiv_paper(store, settings, arxiv, user, body.arxiv_id)
    return PaperOut.of(
        stored, settings.base_url, store.votes.vote_totals([stored.id]).get(stored.id)
    )


@router.get("/search", response_model=SearchOut, summary="Search papers", tags=["search"])
def search(
    params: SearchParamsDep,
    search: SearchDep,
    store: StoreDep,
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


def _comment_out(view: CommentView) -> CommentOut:
    return CommentOut(
        id=view.id,
        author=view.author,
        created_at=view.created_at,
        edited_at=view.edited_at,
        deleted=view.placeholder == DELETED,
        hidden=view.hidden,
        html=str(view.html) if view.html is not None else None,
        markdown=view.body,
        replies=[_comment_out(r) for r in view.replies],
    )


@router.get(
    "/papers/{arxiv_id:path}/comments",
    response_model=CommentsOut,
    summary="Comments on one paper",
    tags=["community"],
    responses={404: ERRORS[404]},
)
def paper_comments(arxiv_id: str, store: StoreDep) -> CommentsOut:
    """Top-level comments oldest first, each with its replies. `html` is the Markdown
    body rendered to sanitised HTML, `markdown` the body as written; both are null for a
    deleted or hidden comment (kept in place when it has replies)."""
    paper = find_paper(store, arxiv_id)
    threads = comment_threads(store, paper.id, None)
    out = [_comment_out(t) for t in threads]
    count = sum((t.html is not None) + sum(r.html is not None for r in t.replies) for t in threads)
    return CommentsOut(id=paper.arxiv_id, count=count, comments=out)


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
    totals = store.votes.vote_totals(p.id for p, _ in found)
    return SimilarOut(
        id=paper.arxiv_id,
        results=[
            SearchResultOut.of(p, s, _opening(p.abstract), settings.base_url, totals.get(p.id))
            for p, s in found
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
    from paperboy.web.api.hf import records_of  # hf.py imports this module

    found = find_paper(store, arxiv_id)
    out = PaperOut.of(
        found,
        settings.base_url,
        store.votes.vote_totals([found.id]).get(found.id),
        hf_details(store, found),
        code=store.code.links_for(found.id),
    )
    out.paper = records_of(store, settings, [found])[0].paper.model_dump(by_alias=True)
    return out


class HealthOut(BaseModel):
    status: str = Field(examples=["ok"])
    papers: int = Field(description="Papers stored")
    latest_day: date | None = Field(None, description="Newest announcement day stored")


@router.get("/health", response_model=HealthOut, tags=["operations"], summary="Liveness")
def health(store: StoreDep) -> HealthOut:
    """For load balancers and monitoring: answers while the database answers."""
    return HealthOut(
        status="ok", papers=store.papers.count_papers(), latest_day=store.papers.latest_announced()
    )
