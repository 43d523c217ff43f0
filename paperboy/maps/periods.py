"""The period of a map, as written in /map?period=: a day (2026-06-24), an ISO week
(2026-W26) or a month (2026-06). Built on the feed's periods (``feed/periods.py``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from paperboy.errors import InvalidInput
from paperboy.feed.periods import Period, parse_day, parse_period, period_containing

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def parse_map_period(text: str) -> Period:
    """``2026-06-24``, ``2026-W26`` or ``2026-06`` as a day, week or month period."""
    text = text.strip()
    week = _WEEK.match(text)
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            raise InvalidInput(f"invalid week {text[:20]!r}: {year} has no week {number}") from None
        return period_containing("week", monday)
    if _MONTH.match(text):
        return parse_period("month", text)
    if len(text) == 10:
        return period_containing("day", parse_day(text))
    raise InvalidInput(
        f"invalid period {text[:40]!r}: expected a day (2026-06-24), an ISO week "
        "(2026-W26) or a month (2026-06)"
    )


def map_key(period: Period) -> str:
    """The canonical period text of a map: 2026-06-24, 2026-W26 or 2026-06."""
    if period.view == "week":
        year, week, _ = period.start.isocalendar()
        return f"{year}-W{week:02d}"
    return period.key


def previous_period(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    return period_containing(period.view, period.start - timedelta(days=1))
