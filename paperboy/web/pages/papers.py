"""Server-rendered HTML pages: the daily feed and the paper page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from paperboy.community.comments import comment_page
from paperboy.community.counts import hf_details
from paperboy.community.moderation import day_picks
from paperboy.community.votes import vote_view
from paperboy.feed.listing import load_feed
from paperboy.feed.periods import VIEWS
from paperboy.feed.trending import WINDOWS, TrendingWeights, check_window, trending_list
from paperboy.library.citation import paper_share
from paperboy.web.auth import get_current_user
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep, find_paper
from paperboy.web.pages import paper_markdown
from paperboy.web.rendering import render
from paperboy.web.search_gate import SearchTurn
from paperboy.web.search_params import SearchParamsDep

router = APIRouter(include_in_schema=False)
CatQuery = Annotated[str | None, Query(max_length=64)]
PageQuery = Annotated[int, Query(ge=1, le=10_000)]
SortQuery = Annotated[str, Query(max_length=16)]


def _feed_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    view: str,
    key: str | None,
    cat: str | None,
    page: int,
    sort: str,
    has_code: bool,
) -> HTMLResponse:
    user = get_current_user(request)
    admin = bool(user and user.is_admin)
    feed = load_feed(
        store,
        view,
        key,
        category=cat,
        page=page,
        page_size=settings.page_size,
        sort=sort,
        include_hidden=admin,
        has_code=has_code,
    )
    picks = (
        day_picks(store, feed.period.start, admin=admin) if view == "day" and feed.period else []
    )
    votes = vote_view(store, user, [*picks, *feed.papers])
    # A list where nobody upvoted anything (a fresh demo's newest day): lead to /trending.
    quiet = bool(feed.papers) and not any(votes.totals.get(p.id, 0) for p in feed.papers)
    context = {"feed": feed, "view": view, "votes": votes, "picks": picks, "quiet": quiet}
    return render(request, "feed.html", context)


def _latest_period_route(view: str) -> Callable[..., HTMLResponse]:
    def handler(
        request: Request,
        store: StoreDep,
        settings: SettingsDep,
        cat: CatQuery = None,
        page: PageQuery = 1,
        sort: SortQuery = "newest",
        has_code: bool = False,
    ) -> HTMLResponse:
        return _feed_page(request, store, settings, view, None, cat, page, sort, has_code)

    return handler


def _period_route(view: str) -> Callable[..., HTMLResponse]:
    def handler(
        request: Request,
        key: str,
        store: StoreDep,
        settings: SettingsDep,
        cat: CatQuery = None,
        page: PageQuery = 1,
        sort: SortQuery = "newest",
        has_code: bool = False,
    ) -> HTMLResponse:
        return _feed_page(request, store, settings, view, key, cat, page, sort, has_code)

    return handler


# "/" is the newest day; /day, /week, /month the newest period; /day/2026-06-30,
# /week/2026-06-29 (any day of the week) and /month/2026-06 a given one.
router.add_api_route("/", _latest_period_route("day"), response_class=HTMLResponse)
for _view in VIEWS:
    router.add_api_route(f"/{_view}", _latest_period_route(_view), response_class=HTMLResponse)
    router.add_api_route(f"/{_view}/{{key}}", _period_route(_view), response_class=HTMLResponse)


@router.get("/paper/{arxiv_id:path}", response_class=HTMLResponse)
def paper(
    request: Request,
    arxiv_id: str,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    comments_page: PageQuery = 1,
) -> HTMLResponse:
    found = find_paper(store, arxiv_id)
    similar = search.similar(found.arxiv_id, limit=8)
    user = get_current_user(request)
    votes = vote_view(store, user, [found, *(p for p, _ in similar)])
    threads = comment_page(store, settings, found.id, user, comments_page)
    context = {"paper": found, "similar": similar, "votes": votes, "comments": threads.threads}
    context["comment_pages"] = threads
    context["picked"] = found.id in store.moderation.picked([found.id])
    context["code"] = votes.code.get(found.id, [])
    context["hf"] = hf_details(store, found)
    context["share"] = paper_share(
        found, paper_markdown.paper_url(settings.base_url, found.arxiv_id)
    )
    context["comment_max_chars"] = request.app.state.settings.comment_max_chars
    return render(request, "paper.html", context)


@router.get("/trending", response_class=HTMLResponse)
def trending_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    window: Annotated[int, Query()] = 7,
    has_code: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    check_window(window)
    user = get_current_user(request)
    answer = trending_list(
        store,
        window=window,
        limit=settings.page_size,
        weights=TrendingWeights.of(settings),
        include_hidden=bool(user and user.is_admin),
        has_code=has_code,
    )
    ranked = answer.papers
    votes = vote_view(store, user, [t.paper for t in ranked])
    return render(
        request,
        "trending.html",
        {
            "ranked": ranked,
            "as_of": answer.as_of,
            "whys": {t.paper.id: t.why for t in ranked},
            "window": window,
            "windows": WINDOWS,
            "has_code": has_code,
            "votes": votes,
        },
    )


@router.get("/search", response_class=HTMLResponse, response_model=None)
def search_page(
    request: Request, params: SearchParamsDep, search: SearchDep, store: StoreDep, _: SearchTurn
) -> HTMLResponse | RedirectResponse:
    pq = params.parsed()
    user = get_current_user(request)
    results = search.search(
        pq,
        mode=params.mode,
        sort=params.sort,
        page=params.page,
        include_hidden=bool(user and user.is_admin),
    )
    if results.exact is not None:
        return RedirectResponse(f"/paper/{results.exact.arxiv_id}", status_code=303)

    def page_url(page: int) -> str:
        query = {k: v for k, v in request.query_params.items() if k != "page"}
        return "/search?" + urlencode({**query, "page": page})

    votes = vote_view(store, user, [h.paper for h in results.hits])
    return render(
        request,
        "search.html",
        {"results": results, "params": params, "page_url": page_url, "votes": votes},
    )
