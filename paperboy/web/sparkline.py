"""Tiny inline SVG charts of a paper's votes over time, drawn on the server (no script,
no external image). The numbers come from ``community.votes`` (``VoteView.trend``);
templates draw them with the ``sparkline`` filter."""

from __future__ import annotations

from markupsafe import Markup

WIDTH = 56
HEIGHT = 14


def sparkline_svg(counts: list[int], width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """A polyline over ``counts`` (one point per day) scaled into ``width`` x ``height``.
    Empty input gives an empty string; a flat series is a line along the bottom, or
    along the middle when it is not zero."""
    if not counts:
        return Markup("")
    low, high = min(counts), max(counts)
    span = high - low
    pad = 1.0
    inner_h = height - 2 * pad
    step = (width - 2 * pad) / max(1, len(counts) - 1)
    points = []
    for i, value in enumerate(counts):
        x = pad + i * step if len(counts) > 1 else width / 2
        if span:
            y = pad + inner_h * (1 - (value - low) / span)
        else:
            y = height / 2 if high else height - pad
        points.append(f"{x:.1f},{y:.1f}")
    if len(points) == 1:
        points.insert(0, f"{pad:.1f},{points[0].split(',')[1]}")
        points[-1] = f"{width - pad:.1f},{points[-1].split(',')[1]}"
    label = f"votes over the last {len(counts)} days: {counts[0]} to {counts[-1]}"
    return Markup(
        '<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round" points="{points}"/></svg>'
    ).format(w=width, h=height, label=label, points=" ".join(points))
