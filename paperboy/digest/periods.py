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
from datetime import UTC, date, datetime, time, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCIES = ("daily", "weekly")
# How late a missed digest may still go out; older ones would be stale news.
CATCH_UP = timedelta(days=3)


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
    # Keyed by its last day, not the ISO week: a reader who moves their weekly day
    # within a week still gets the digest of the new day.
    return Period(f"W{day.isoformat()}", "weekly", day, day - timedelta(days=6), day)


def period_from_key(key: str) -> Period:
    """The period an outbox key names."""
    if key.startswith("W"):
        return weekly_period(date.fromisoformat(key[1:]))
    return daily_period(date.fromisoformat(key))


def local_time(now_utc: datetime, timezone: str) -> datetime:
    """``now_utc`` (naive UTC, as stored) in the configured zone."""
    return now_utc.replace(tzinfo=UTC).astimezone(zoneinfo.ZoneInfo(timezone))


def latest_due_period(frequency: str, weekday: int, local: datetime, hour: int) -> Period:
    """The newest period whose digest is due at local time ``local`` (its day, from
    ``hour``): today's once the hour has come, else the one before."""
    day = local.date()
    if local.hour < hour:
        day -= timedelta(days=1)
    return latest_period(frequency, weekday, day)


def due_at(period: Period, hour: int, timezone: str) -> datetime:
    """When the period's digest becomes due, as naive UTC."""
    local = datetime.combine(period.day, time(hour), tzinfo=zoneinfo.ZoneInfo(timezone))
    return local.astimezone(UTC).replace(tzinfo=None)


def latest_period(frequency: str, weekday: int, day: date) -> Period:
    """The newest period on or before ``day`` (for previews: what the last digest held)."""
    if frequency == "daily":
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return daily_period(day)
    return weekly_period(day - timedelta(days=(day.weekday() - weekday) % 7))
