"""The daily-papers listing as Hugging Face's ``/api/daily_papers`` selects it.

Hugging Face clients (``huggingface_hub.HfApi.list_daily_papers``) ask for one ``date``
(YYYY-MM-DD), one ISO ``week`` (YYYY-Www) or one ``month`` (YYYY-MM), optionally only the
papers one ``submitter`` put on the list, sorted by ``publishedAt`` (newest first) or
``trending`` (most upvoted first), a page ``p`` of ``limit`` papers at a time. This module
turns those parameters into a period and a page of stored papers; the web layer renders
them in HF's record shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from paperboy.errors import InvalidInput
from paperboy.feed.periods import Period, parse_day, parse_period, period_containing
from paperboy.store import Store, StoredPaper

HF_SORTS = {"publishedAt": "newest", "trending": "votes"}
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# A submitter filter reads the whole period and keeps that submitter's papers; a month of
# arXiv listings is a few thousand papers.
SUBMITTER_SCAN = 20_000


@dataclass(frozen=True, slots=True)
class DailyPage:
    period: Period | None
    papers: list[StoredPaper]
    total: int


def hf_period(
    store: Store, *, day: str | None, week: str | None, month: str | None
) -> Period | None:
    """The period HF's parameters name (at most one of them); none: the newest day with
    papers (None when there are no papers)."""
    given = [v for v in (day, week, month) if v is not None]
    if len(given) > 1:
        raise InvalidInput("give at most one of date, week and month")
    if day is not None:
        return period_containing("day", parse_day(day))
    if week is not None:
        found = _WEEK.match(week)
        if not found:
            raise InvalidInput(f"invalid week {week[:20]!r}: expected YYYY-Www, e.g. 2025-W09")
        try:
            monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        except ValueError:
            raise InvalidInput(f"invalid week {week[:20]!r}: no such week") from None
        return period_containing("week", monday)
    if month is not None:
        if not re.match(r"^\d{4}-\d{2}$", month):
            raise InvalidInput(f"invalid month {month[:20]!r}: expected YYYY-MM")
        return parse_period("month", month)
    latest = store.papers.latest_announced()
    return period_containing("day", latest) if latest else None


def _submitted_by(store: Store, papers: list[StoredPaper], submitter: str) -> list[StoredPaper]:
    """Papers whose HF submitter (user name) or paperboy submitter (display name) is
    ``submitter`` (case-insensitive)."""
    wanted = submitter.strip().lower()
    ids = [p.id for p in papers]
    hf = store.hf.get_many(ids)
    local = store.submissions.submissions_of(ids)
    kept = []
    for paper in papers:
        info = hf.get(paper.id)
        names = {info.submitter, info.submitter_name} if info else set()
        sub = local.get(paper.id)
        if sub is not None:
            names.add(sub.user.display_name)
        if wanted in {n.lower() for n in names if n}:
            kept.append(paper)
    return kept


def daily_page(
    store: Store,
    *,
    day: str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str | None = None,
    submitter: str | None = None,
    limit: int = 50,
    page: int = 0,
) -> DailyPage:
    """One page of the period's papers (default order: most upvoted first) and the total."""
    if sort is not None and sort not in HF_SORTS:
        raise InvalidInput(f"invalid sort {sort[:20]!r}: choose publishedAt or trending")
    order = HF_SORTS[sort] if sort else "votes"
    period = hf_period(store, day=day, week=week, month=month)
    if period is None:
        return DailyPage(None, [], 0)
    if not submitter:
        found = store.papers.feed(
            period.start, period.end, limit=limit, offset=page * limit, sort=order
        )
        return DailyPage(period, list(found.papers), found.total)
    found = store.papers.feed(period.start, period.end, limit=SUBMITTER_SCAN, sort=order)
    kept = _submitted_by(store, list(found.papers), submitter)
    return DailyPage(period, kept[page * limit : (page + 1) * limit], len(kept))
