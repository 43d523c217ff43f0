"""Feed periods: a day, an ISO week (Monday to Sunday) or a calendar month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from paperboy.errors import InvalidInput

View = Literal["day", "week", "month"]
VIEWS: tuple[View, ...] = ("day", "week", "month")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Period:
    view: View
    start: date
    end: date

    @property
    def key(self) -> str:
        """The canonical URL part: 2025-03-18, 2025-03-17 (week's Monday) or 2025-03."""
        return self.start.strftime("%Y-%m") if self.view == "month" else self.start.isoformat()

    @property
    def label(self) -> str:
        if self.view == "day":
            return self.start.strftime("%A, %d %B %Y")
        if self.view == "week":
            return f"Week of {self.start.strftime('%d %B %Y')}"
        return self.start.strftime("%B %Y")


def parse_day(text: str) -> date:
    if not _DAY.match(text):
        raise InvalidInput(f"invalid date {text[:40]!r}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"invalid date {text[:40]!r}: no such day") from None


def period_containing(view: str, day: date) -> Period:
    try:
        return _period_containing(view, day)
    except OverflowError:
        raise InvalidInput(f"no {view} around {day}: out of range") from None


def _period_containing(view: str, day: date) -> Period:
    if view == "day":
        return Period("day", day, day)
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if view == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period("month", first, following - timedelta(days=1))
    raise InvalidInput(f"invalid view {view[:20]!r}: choose day, week or month")


def parse_period(view: str, text: str) -> Period:
    """Parse the URL part of a period: YYYY-MM-DD for day and week, YYYY-MM or a day
    for month."""
    if view == "month" and _MONTH.match(text):
        return period_containing("month", parse_day(f"{text}-01"))
    return period_containing(view, parse_day(text))
