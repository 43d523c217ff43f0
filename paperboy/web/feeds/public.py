"""RSS 2.0 and Atom feeds of the site's lists, for feed readers.

Every list has both formats at the same path with a different extension:

    /feeds/daily.rss|.atom                  the newest announcement day (?category=cs.LG)
    /feeds/trending.rss|.atom               trending (?window=1, 7 or 30 days; default 7)
    /feeds/search.rss|.atom?q=...           a search, with the query string of /search
    /feeds/category/{category}.rss|.atom    the newest papers of one arXiv category
    /feeds/for-you/{token}.rss|.atom        a reader's recommendations (private_feed.py)

The documents come from ``feedxml`` (pure); this module only chooses the papers, gives
them absolute URLs from ``settings.base_url``, and answers conditional requests: readers
poll feeds every few minutes, so an unchanged feed costs a 304 and no body.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperboy.errors import InvalidInput, NotFound
from paperboy.feed.listing import load_feed
from paperboy.feed.trending import TrendingWeights, check_window, trending_list
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds.render import EARLIEST_DAY, feed_meta, feed_response, paper_entries, route
from paperboy.web.search_gate import SearchTurn
from paperboy.web.search_params import SearchParamsDep

router = APIRouter(include_in_schema=False)


def daily_feed(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    category: Annotated[str | None, Query(max_length=64)] = None,
    has_code: Annotated[bool, Query()] = False,
) -> Response:
    feed = load_feed(
        store, "day", None, category=category, page_size=settings.page_size, has_code=has_code
    )
    scope = (" with code" if has_code else "") + (f" in {feed.category}" if feed.category else "")
    coded = {"has_code": "1"} if has_code else {}
    query = ({"category": feed.category} if feed.category else {}) | coded
    page = ({"cat": feed.category} if feed.category else {}) | coded  # the HTML page's names
    meta = feed_meta(
        settings,
        "/feeds/daily",
        query,
        title=f"paperboy: newest papers{scope}",
        description=f"Papers{scope} announced on the newest arXiv day.",
        page="/day" + (f"?{urlencode(page)}" if page else ""),
    )
    return feed_response(request, meta, paper_entries(settings, store, feed.papers))


def trending_feed(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    window: Annotated[int, Query()] = 7,
    has_code: Annotated[bool, Query()] = False,
) -> Response:
    check_window(window)
    answer = trending_list(
        store,
        window=window,
        limit=settings.page_size,
        weights=TrendingWeights.of(settings),
        has_code=has_code,
    )
    ranked = answer.papers
    days = "today" if window == 1 else f"the last {window} days"
    if answer.as_of is not None:
        days += f" as of {answer.as_of.day} {answer.as_of.strftime('%b %Y')} (no newer signal)"
    query = {"window": str(window)} | ({"has_code": "1"} if has_code else {})
    coded = " with code" if has_code else ""
    meta = feed_meta(
        settings,
        "/feeds/trending",
        query,
        title=f"paperboy: trending{coded} {days}",
        description=f"Papers{coded} ranked by upvotes and star gains with a time decay, "
        f"over {days}.",
        page=f"/trending?{urlencode(query)}",
    )
    return feed_response(request, meta, paper_entries(settings, store, [t.paper for t in ranked]))


def search_feed(
    request: Request,
    params: SearchParamsDep,
    search: SearchDep,
    settings: SettingsDep,
    store: StoreDep,
    _: SearchTurn,
) -> Response:
    pq = params.parsed()
    if pq.is_empty and not pq.arxiv_id:
        raise InvalidInput("a search feed needs a query: add ?q=words to the feed address")
    results = search.search(
        pq, mode=params.mode, sort=params.sort, page=1, per_page=settings.page_size
    )
    # Everything that shapes the results, in a fixed order (the page number does not).
    query = {"q": params.q}
    for key, value in (
        ("cat", params.cat),
        ("from", params.date_from),
        ("to", params.date_to),
        ("sort", None if params.sort == "relevance" else params.sort),
        ("mode", None if params.mode == "hybrid" else params.mode),
        ("has_code", "1" if params.has_code else None),
    ):
        if value:
            query[key] = value
    meta = feed_meta(
        settings,
        "/feeds/search",
        query,
        title=f"paperboy: search “{params.q.strip()}”",
        description=f"Papers matching the search “{params.q.strip()}”.",
        page=f"/search?{urlencode(query)}",
    )
    return feed_response(
        request, meta, paper_entries(settings, store, [h.paper for h in results.hits])
    )


def category_feed(
    request: Request, category: str, store: StoreDep, settings: SettingsDep
) -> Response:
    if len(category) > 64 or not all(c.isalnum() or c in ".-_" for c in category):
        raise NotFound(f"no category {category[:40]!r}")
    latest = store.papers.latest_announced()
    page = None
    if latest is not None:
        page = store.papers.feed(EARLIEST_DAY, latest, category=category, limit=settings.page_size)
    if page is None or page.total == 0:
        raise NotFound(f"no papers in category {category!r}")
    meta = feed_meta(
        settings,
        f"/feeds/category/{quote(category)}",
        {},
        title=f"paperboy: {category}",
        description=f"The newest papers in the arXiv category {category}, cross-lists included.",
        page=f"/day?{urlencode({'cat': category})}",
    )
    return feed_response(request, meta, paper_entries(settings, store, page.papers))


route(router, "/feeds/daily", daily_feed)
route(router, "/feeds/trending", trending_feed)
route(router, "/feeds/search", search_feed)
route(router, "/feeds/category/{category}", category_feed)
