"""Models of the topic map of a period (``GET /api/map``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class MapClusterOut(BaseModel):
    id: int = Field(description="The topic's number on this map (0 is the largest)")
    label: str = Field(description="Its most distinctive terms (c-TF-IDF), joined by ' · '")
    terms: list[str] = Field(description="The same terms, most distinctive first")
    size: int = Field(description="Papers of the period in this topic")
    share: float = Field(description="size / papers on the map")
    previous_share: float | None = Field(
        description="Share of the previous period's papers nearest to this topic (None: the "
        "previous period has too few embedded papers to compare)"
    )
    rising: bool = Field(
        description="Share at least 1.5 times the previous period's and at least 1 point "
        "higher (docs/maps.md)"
    )


class MapPaperOut(BaseModel):
    id: str = Field(description="arXiv id", examples=["2606.28374"])
    x: float = Field(description="Position in [0, 1000], left to right")
    y: float = Field(description="Position in [0, 1000], top to bottom")
    cluster: int = Field(description="The id of its topic")
    title: str


class MapOut(BaseModel):
    period: str = Field(description="2026-06-24 (day), 2026-W27 (ISO week) or 2026-06 (month)")
    view: Literal["day", "week", "month"]
    start: date
    end: date
    status: Literal["ready", "stale", "empty"] = Field(
        description="ready; stale: papers or embeddings changed since it was built, a new "
        "map is being built; empty: no paper of the period has an embedding yet"
    )
    built_at: datetime | None
    previous_period: str
    papers_without_embedding: int = Field(
        description="Papers of the period left off the map: their embedding is not computed yet"
    )
    clusters: list[MapClusterOut]
    papers: list[MapPaperOut]
