"""Hugging Face compatible routes: `/api/daily_papers` and `/api/papers/search`."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from paperboy.feed.hf_daily import daily_page
from paperboy.search.quick import search_papers
from paperboy.web.api.hf.models import HfDailyPaper
from paperboy.web.api.hf.records import records_of
from paperboy.web.api.papers import ERRORS
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep

router = APIRouter(prefix="/api", tags=["hugging face compatible"])


MAX_LIMIT = 100


MAX_PAGE = 10_000


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
