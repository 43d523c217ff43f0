"""The server-drawn vote sparkline: a pure function, valid SVG, no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

from paperboy.community.votes import cumulative_daily
from paperboy.web.sparkline import sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def points(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    line = root.find(f"{SVG}polyline")
    assert line is not None
    return [tuple(map(float, p.split(","))) for p in line.attrib["points"].split()]  # type: ignore[misc]


def test_valid_svg_of_the_given_size_without_script() -> None:
    svg = str(sparkline_svg([0, 1, 1, 3, 7]))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert (root.attrib["width"], root.attrib["height"]) == ("56", "14")
    assert root.attrib["viewBox"] == "0 0 56 14"
    assert "script" not in svg.lower() and "href" not in svg
    pts = points(svg)
    assert len(pts) == 5
    assert all(0 <= x <= 56 and 0 <= y <= 14 for x, y in pts)
    assert pts[0][0] < pts[-1][0] and pts[-1][1] < pts[0][1]  # rises to the right
    assert pts[-1][1] == 1.0 and pts[0][1] == 13.0


def test_custom_size_and_edge_cases() -> None:
    root = ET.fromstring(str(sparkline_svg([2, 5], width=100, height=20)))
    assert root.attrib["width"] == "100" and root.attrib["height"] == "20"
    assert str(sparkline_svg([])) == ""
    flat_zero = points(str(sparkline_svg([0, 0, 0])))
    assert {y for _, y in flat_zero} == {13.0}
    flat_base = points(str(sparkline_svg([4] * 14)))
    assert {y for _, y in flat_base} == {7.0}
    single = points(str(sparkline_svg([3])))
    assert len(single) == 2 and single[0][1] == single[1][1]


def test_cumulative_daily_counts() -> None:
    today = date(2026, 7, 14)
    times = [datetime(2026, 7, 14, 9), datetime(2026, 7, 12, 1), datetime(2026, 7, 12, 23)]
    counts = cumulative_daily(times, base=5, today=today, days=4)
    assert counts == [5, 7, 7, 8]
    assert cumulative_daily([], base=3, today=today) == [3] * 14
    old = [datetime(2026, 6, 1)]  # outside the window: ignored (part of base)
    assert cumulative_daily(old, base=0, today=today, days=3) == [0, 0, 0]
