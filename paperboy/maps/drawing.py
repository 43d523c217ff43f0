"""What the map's SVG is drawn from: points and labels in viewBox units, label positions
nudged apart so they do not overlap, and each topic's search link. The page's template
only writes these out (the web layer decides nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from paperboy.config import Settings
from paperboy.maps.build import CANVAS
from paperboy.maps.service import BuildQueue, MapView, load_map
from paperboy.store import Store

MARGIN = 24.0
TIP_BAND = 64.0  # the strip above the points where a hovered paper's title shows
WIDTH = CANVAS + 2 * MARGIN
# Labels are drawn at 19 viewBox units on a wide screen and 24 on a phone (map.css),
# where the whole map is about a third of its size; they are placed apart for the larger.
LABEL_SIZE = 24.0
CHAR_WIDTH = 0.6 * LABEL_SIZE  # average glyph width of the bold sans-serif labels
LABEL_HEIGHT = LABEL_SIZE * 1.3
COLOURS = 10  # topics cycle through this many colours (classes t0..t9 in map.css)
TIP_CHARS = 95  # a hovered title longer than this is cut with an ellipsis


@dataclass(frozen=True, slots=True)
class Point:
    arxiv_id: str
    title: str
    tip: str
    x: float
    y: float
    colour: int
    cluster: int


@dataclass(frozen=True, slots=True)
class Label:
    cluster: int
    text: str
    x: float
    y: float
    colour: int
    rising: bool
    search_url: str


@dataclass(frozen=True, slots=True)
class Topic:
    """A row of the table of topics under the map (its text alternative)."""

    cluster: int
    label: str
    size: int
    share: float
    previous_share: float | None
    rising: bool
    colour: int
    search_url: str


@dataclass(frozen=True, slots=True)
class Drawing:
    width: float
    height: float
    tip_y: float
    points: list[Point]
    labels: list[Label]
    topics: list[Topic]


@dataclass(frozen=True, slots=True)
class MapPage:
    view: MapView
    drawing: Drawing | None  # None: no map to show yet


def map_page(
    store: Store, settings: Settings, period_text: str | None, builder: BuildQueue | None
) -> MapPage:
    """The map of a period, ready to be drawn (``load_map`` says when it is shown)."""
    view = load_map(store, settings, period_text, builder)
    return MapPage(view, None if view.payload is None else draw(view.payload))


def search_url(terms: list[str]) -> str:
    """The search for a topic's terms: phrases quoted, e.g. /search?q="video generation" motion."""
    query = " ".join(f'"{t}"' if " " in t else t for t in terms)
    return "/search?" + urlencode({"q": query})


def draw(payload: dict[str, Any]) -> Drawing:
    clusters = payload.get("clusters", [])
    papers = payload.get("papers", [])
    # t-SNE pictures are rarely square: the drawing is as tall as the points need (the
    # stored y is centred in [0, CANVAS]), so a wide map leaves no empty band.
    low = min((p["y"] for p in papers), default=0.0)
    high = max((p["y"] for p in papers), default=CANVAS)
    top = MARGIN + TIP_BAND
    shift = top - low
    height = max(high - low, CANVAS / 3) + top + MARGIN
    points = [
        Point(
            arxiv_id=p["id"],
            title=p.get("title", p["id"]),
            tip=_cut(p.get("title", p["id"])),
            x=round(MARGIN + p["x"], 1),
            y=round(shift + p["y"], 1),
            colour=p["cluster"] % COLOURS,
            cluster=p["cluster"],
        )
        for p in papers
    ]
    labels = _place_labels(clusters, shift, top, height)
    topics = [
        Topic(
            cluster=c["id"],
            label=c["label"],
            size=c["size"],
            share=c.get("share", 0.0),
            previous_share=c.get("previous_share"),
            rising=bool(c["rising"]),
            colour=c["id"] % COLOURS,
            search_url=search_url(c.get("terms") or [c["label"]]),
        )
        for c in clusters
    ]
    return Drawing(WIDTH, round(height, 1), MARGIN + TIP_BAND / 2, points, labels, topics)


def _cut(title: str) -> str:
    return title if len(title) <= TIP_CHARS else title[: TIP_CHARS - 1].rstrip() + "…"


Box = tuple[float, float, float, float]


def _place_labels(
    clusters: list[dict[str, Any]], shift: float, top: float, height: float
) -> list[Label]:
    """Largest topics first, each label at the first of a few positions around its
    anchor that overlaps no label placed before it (else at its anchor)."""
    placed: list[Box] = []
    labels: list[Label] = []
    offsets = [(0.0, 0.0)] + [
        (dx, dy * LABEL_HEIGHT) for dy in (-1, 1, -2, 2, -3, 3) for dx in (0.0, -80.0, 80.0)
    ]
    for c in sorted(clusters, key=lambda c: (-c["size"], c["id"])):
        text = ("▲ " if c["rising"] else "") + c["label"]
        half = len(text) * CHAR_WIDTH / 2 + 6
        # Just above the topic's central point, so that point stays clickable.
        anchor_x, anchor_y = MARGIN + c["x"], shift + c["y"] - 10
        choice: Box | None = None
        for dx, dy in offsets:
            x = min(max(anchor_x + dx, half + 2), WIDTH - half - 2)
            y = min(max(anchor_y + dy, top + LABEL_HEIGHT), height - 4)
            box = (x - half, y - LABEL_HEIGHT, x + half, y + 4)
            if not any(_overlap(box, other) for other in placed):
                choice = box
                break
        if choice is None:
            x = min(max(anchor_x, half + 2), WIDTH - half - 2)
            y = min(max(anchor_y, top + LABEL_HEIGHT), height - 4)
            choice = (x - half, y - LABEL_HEIGHT, x + half, y + 4)
        placed.append(choice)
        labels.append(
            Label(
                cluster=c["id"],
                text=text,
                x=round((choice[0] + choice[2]) / 2, 1),
                y=round(choice[3] - 4, 1),
                colour=c["id"] % COLOURS,
                rising=bool(c["rising"]),
                search_url=search_url(c.get("terms") or [c["label"]]),
            )
        )
    labels.sort(key=lambda label: label.cluster)
    return labels


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
