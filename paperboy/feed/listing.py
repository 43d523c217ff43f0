"""The daily feed as both the HTML pages and the JSON API see it."""

from __future__ import annotations

from dataclasses import dataclass

from paperboy.errors import InvalidInput
from paperboy.feed.periods import Period, parse_period, period_containing
from paperboy.store import Store, StoredPaper

MAX_PAGE = 10_000
SORTS = ("newest", "votes")


@dataclass(frozen=True, slots=True)
class Feed:
    period: Period | None  # None: the database has no announced papers yet
    papers: list[StoredPaper]
    total: int
    page: int
    pages: int
    category: str | None
    prev: Period | None
    next: Period | None
    categories: list[tuple[str, int]]
    sort: str = "newest"
    has_code: bool = False  # only papers that link a code repository


def _check_category(category: str | None) -> str | None:
    if category is None or not category.strip():
        return None
    category = category.strip()
    if len(category) > 64 or not all(c.isalnum() or c in ".-_" for c in category):
        raise InvalidInput(f"invalid category {category[:40]!r}")
    return category


def load_feed(
    store: Store,
    view: str,
    key: str | None,
    *,
    category: str | None = None,
    page: int = 1,
    page_size: int = 50,
    sort: str = "newest",
    include_hidden: bool = False,
    has_code: bool = False,
) -> Feed:
    """Papers of one period (the newest day with papers when ``key`` is None); only
    those linking a code repository with ``has_code``."""
    category = _check_category(category)
    if sort not in SORTS:
        raise InvalidInput(f"invalid sort {sort[:20]!r}: must be newest or votes")
    if page < 1 or page > MAX_PAGE:
        raise InvalidInput(f"invalid page {page}: must be between 1 and {MAX_PAGE}")
    if key is None:
        latest = store.papers.latest_announced()
        if latest is None:
            return Feed(None, [], 0, 1, 0, category, None, None, [], sort, has_code)
        period = period_containing(view, latest)
    else:
        period = parse_period(view, key)
    result = store.papers.feed(
        period.start,
        period.end,
        category=category,
        limit=page_size,
        offset=(page - 1) * page_size,
        sort=sort,
        include_hidden=include_hidden,
        has_code=has_code,
    )
    before, after = store.papers.neighbour_days(period.start, period.end)
    return Feed(
        period=period,
        papers=result.papers,
        total=result.total,
        page=page,
        pages=max(1, -(-result.total // page_size)),
        category=category,
        prev=period_containing(period.view, before) if before else None,
        next=period_containing(period.view, after) if after else None,
        categories=store.papers.category_counts(period.start, period.end),
        sort=sort,
        has_code=has_code,
    )
