"""HF's period parameters: an ISO week is Monday to Sunday, a month its calendar days, and
malformed or conflicting parameters are clear errors (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from paperboy.errors import InvalidInput
from paperboy.feed.hf_daily import daily_page, hf_period
from paperboy.store import Store


def test_periods_and_errors(store: Store) -> None:
    week = hf_period(store, day=None, week="2025-W09", month=None)
    assert week is not None and (week.start, week.end) == (date(2025, 2, 24), date(2025, 3, 2))
    month = hf_period(store, day=None, week=None, month="2024-02")
    assert month is not None and (month.start, month.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert hf_period(store, day=None, week=None, month=None) is None  # no papers yet
    assert daily_page(store).total == 0
    for bad in (
        {"week": "2025-09"},
        {"week": "2025-W60"},
        {"month": "2025-13"},
        {"day": "2025-02-30"},
        {"day": "2025-02-03", "month": "2025-02"},
    ):
        with pytest.raises(InvalidInput):
            hf_period(store, **{"day": None, "week": None, "month": None, **bad})
    with pytest.raises(InvalidInput):
        daily_page(store, sort="random")
