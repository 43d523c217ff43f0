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

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from paperboy.config import Settings
from paperboy.errors import InvalidInput, NotFound
from paperboy.feed.listing import load_feed
from paperboy.feed.trending import check_window, trending_list
from paperboy.library.citation import official_code_urls
from paperboy.store import Store, StoredPaper
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds.xml import (
    ATOM_TYPE,
    RSS_TYPE,
    FeedEntry,
    FeedMeta,
    atom_document,
    feed_updated,
    rfc822,
    rss_document,
)
from paperboy.web.search_params import SearchParamsDep

router = APIRouter(include_in_schema=False)
FeedFormat = Literal["rss", "atom"]
FORMATS: tuple[FeedFormat, ...] = ("rss", "atom")
MEDIA_TYPES = {"rss": f"{RSS_TYPE}; charset=utf-8", "atom": f"{ATOM_TYPE}; charset=utf-8"}
# Readers poll; five minutes of caching is far below how often arXiv announces.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"
EARLIEST_DAY = date(1991, 1, 1)  # arXiv started in August 1991
EPOCH = datetime(1991, 8, 14, tzinfo=UTC)  # an empty feed's "updated"


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def paper_url(settings: Settings, paper: StoredPaper) -> str:
    return f"{_base(settings)}/paper/{quote(paper.arxiv_id, safe='/')}"


def _announced_at(paper: StoredPaper) -> datetime:
    """When the paper appeared: midnight UTC of its announcement day (when it was first
    seen if it has none)."""
    if paper.announced is not None:
        return datetime.combine(paper.announced, time(), tzinfo=UTC)
    seen = paper.first_seen
    return seen.replace(tzinfo=UTC) if seen.tzinfo is None else seen


def paper_entry(
    settings: Settings, paper: StoredPaper, note: str | None = None, code_url: str | None = None
) -> FeedEntry:
    """A paper as a feed entry; ``note`` (e.g. why it is recommended) leads the summary."""
    published = _announced_at(paper)
    revised = paper.updated.replace(tzinfo=UTC) if paper.updated else None
    url = paper_url(settings, paper)
    summary = "\n\n".join(part for part in (note, paper.abstract) if part) or None
    return FeedEntry(
        id=url,
        title=paper.title,
        link=url,
        updated=max(published, revised) if revised else published,
        published=published,
        summary=summary,
        authors=paper.authors,
        categories=paper.categories,
        code_url=code_url,
    )


def paper_entries(
    settings: Settings, store: Store, papers: Sequence[StoredPaper]
) -> list[FeedEntry]:
    """Entries for papers, each with its official code link when it has one."""
    code = official_code_urls(store, list(papers))
    return [paper_entry(settings, p, code_url=code.get(p.id)) for p in papers]


def feed_urls(settings: Settings, path: str, query: dict[str, str]) -> tuple[str, str, str]:
    """The feed's identity (format-free) and its RSS and Atom URLs."""
    qs = f"?{urlencode(query)}" if query else ""
    base = f"{_base(settings)}{path}"
    return f"{base}{qs}", f"{base}.rss{qs}", f"{base}.atom{qs}"


def feed_meta(
    settings: Settings,
    path: str,
    query: dict[str, str],
    *,
    title: str,
    description: str,
    page: str,
    updated: datetime = EPOCH,
    feed_id: str | None = None,
) -> FeedMeta:
    identity, rss_url, atom_url = feed_urls(settings, path, query)
    return FeedMeta(
        id=feed_id or identity,
        title=title,
        description=description,
        page_url=f"{_base(settings)}{page}",
        rss_url=rss_url,
        atom_url=atom_url,
        updated=updated,
        author_uri=f"{_base(settings)}/",
    )


def _format(request: Request) -> FeedFormat:
    """Routes exist only for the two extensions, so the path says which was asked for."""
    return "atom" if request.url.path.endswith(".atom") else "rss"


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag in wanted


def feed_response(
    request: Request,
    meta: FeedMeta,
    entries: Sequence[FeedEntry],
    *,
    private: bool = False,
) -> Response:
    """The document in the format the path asks for, with an ETag (304 when the reader
    already has this exact document)."""
    fmt = _format(request)
    body = rss_document(meta, entries) if fmt == "rss" else atom_document(meta, entries)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": rfc822(feed_updated(meta, entries)),
        "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE,
    }
    if private:
        headers["X-Robots-Tag"] = "noindex"
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def route(on: APIRouter, path: str, endpoint: Callable[..., Response]) -> None:
    """The same handler at ``path.rss`` and ``path.atom``."""
    for fmt in FORMATS:
        on.add_api_route(f"{path}.{fmt}", endpoint, methods=["GET", "HEAD"])


# -- public feeds ------------------------------------------------------------------------


def daily_feed(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    feed = load_feed(store, "day", None, category=category, page_size=settings.page_size)
    scope = f" in {feed.category}" if feed.category else ""
    query = {"category": feed.category} if feed.category else {}
    meta = feed_meta(
        settings,
        "/feeds/daily",
        query,
        title=f"paperboy: newest papers{scope}",
        description=f"Papers announced on the newest arXiv day{scope}.",
        page="/day" + (f"?{urlencode({'cat': feed.category})}" if feed.category else ""),
    )
    return feed_response(request, meta, paper_entries(settings, store, feed.papers))


def trending_feed(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    window: Annotated[int, Query()] = 7,
) -> Response:
    check_window(window)
    answer = trending_list(
        store,
        window=window,
        limit=settings.page_size,
        gravity=settings.trending_gravity,
        offset_hours=settings.trending_offset_hours,
    )
    ranked = answer.papers
    days = "today" if window == 1 else f"the last {window} days"
    if answer.as_of is not None:
        days += f" as of {answer.as_of.day} {answer.as_of.strftime('%b %Y')} (no newer signal)"
    meta = feed_meta(
        settings,
        "/feeds/trending",
        {"window": str(window)},
        title=f"paperboy: trending {days}",
        description=f"Papers ranked by upvotes with a time decay, over {days}.",
        page=f"/trending?window={window}",
    )
    return feed_response(request, meta, paper_entries(settings, store, [t.paper for t in ranked]))


def search_feed(
    request: Request,
    params: SearchParamsDep,
    search: SearchDep,
    settings: SettingsDep,
    store: StoreDep,
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
