"""Map periods: a day, an ISO week or a month, as written in /map?period=."""

from __future__ import annotations

from datetime import date

import pytest

from paperboy.errors import InvalidInput
from paperboy.maps.periods import map_key, parse_map_period, previous_period


@pytest.mark.parametrize(
    ("text", "view", "start", "end", "key"),
    [
        ("2026-W26", "week", date(2026, 6, 22), date(2026, 6, 28), "2026-W26"),
        ("2026-w1", "week", date(2025, 12, 29), date(2026, 1, 4), "2026-W01"),
        ("2026-06", "month", date(2026, 6, 1), date(2026, 6, 30), "2026-06"),
        ("2026-06-24", "day", date(2026, 6, 24), date(2026, 6, 24), "2026-06-24"),
    ],
)
def test_parse(text: str, view: str, start: date, end: date, key: str) -> None:
    period = parse_map_period(text)
    assert (period.view, period.start, period.end) == (view, start, end)
    assert map_key(period) == key
    assert parse_map_period(key) == period


def test_previous_period() -> None:
    assert map_key(previous_period(parse_map_period("2026-W01"))) == "2025-W52"
    assert map_key(previous_period(parse_map_period("2026-01"))) == "2025-12"
    assert map_key(previous_period(parse_map_period("2026-03-01"))) == "2026-02-28"


@pytest.mark.parametrize("text", ["2026-W54", "2026-13", "2026-02-30", "last week", "2026"])
def test_bad_periods_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_map_period(text)
    assert text[:4] in err.value.detail
