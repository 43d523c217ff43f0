"""Digest periods: which digest is due when, and which papers it covers.

A daily digest goes out on weekdays (arXiv announces Monday to Friday) and covers the
papers announced since the previous weekday's digest, so Monday's covers the weekend. A
weekly digest goes out on the subscriber's chosen day and covers seven days. Days are
dates in the configured time zone; a digest is due from ``digest_hour`` on its day. The
period key (``2026-11-20`` or ``2026-W47``) is what makes a digest exactly-once: one
outbox row per subscription and key.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCIES = ("daily", "weekly")


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    frequency: str
    day: date  # the digest's own day
    first: date  # papers announced on first … last (inclusive)
    last: date

    @property
    def label(self) -> str:
        if self.frequency == "weekly":
            return f"week of {self.first:%d %B} to {self.last:%d %B %Y}"
        return f"{WEEKDAYS[self.day.weekday()]} {self.day:%d %B %Y}"


def daily_period(day: date) -> Period:
    previous = day - timedelta(days=3 if day.weekday() == 0 else 1)
    return Period(day.isoformat(), "daily", day, previous + timedelta(days=1), day)


def weekly_period(day: date) -> Period:
    year, week, _ = day.isocalendar()
    return Period(f"{year}-W{week:02d}", "weekly", day, day - timedelta(days=6), day)


def local_time(now_utc: datetime, timezone: str) -> datetime:
    """``now_utc`` (naive UTC, as stored) in the configured zone."""
    return now_utc.replace(tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(timezone))


def due_period(frequency: str, weekday: int, local: datetime, hour: int) -> Period | None:
    """The period whose digest is due at local time ``local``, or None."""
    if local.hour < hour:
        return None
    day = local.date()
    if frequency == "daily":
        return daily_period(day) if day.weekday() < 5 else None
    return weekly_period(day) if day.weekday() == weekday else None


def latest_period(frequency: str, weekday: int, day: date) -> Period:
    """The newest period on or before ``day`` (for previews: what the last digest held)."""
    if frequency == "daily":
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return daily_period(day)
    return weekly_period(day - timedelta(days=(day.weekday() - weekday) % 7))
