"""``GET /api/map``: the topic map of a period (see docs/maps.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from paperboy.errors import NotFound, ServiceUnavailable
from paperboy.maps.builder import MapBuilder
from paperboy.maps.service import load_map
from paperboy.web.api.schemas import ErrorOut
from paperboy.web.api.schemas.maps import MapOut
from paperboy.web.deps import SettingsDep, StoreDep

router = APIRouter(
    prefix="/api",
    tags=["maps"],
    responses={
        404: {"model": ErrorOut, "description": "No papers at all yet"},
        422: {"model": ErrorOut, "description": "Not a day, ISO week or month"},
        503: {"model": ErrorOut, "description": "The map is being built: retry later"},
    },
)
BUILD_RETRY_SECONDS = 30
# The documented answer (checked against MapOut and a real answer by the tests).
EXAMPLE: dict[str, Any] = {
    "period": "2026-W27",
    "view": "week",
    "start": "2026-06-29",
    "end": "2026-07-05",
    "status": "ready",
    "built_at": "2026-07-01T09:12:44",
    "previous_period": "2026-W26",
    "papers_without_embedding": 0,
    "clusters": [
        {
            "id": 0,
            "label": "agents · tool · web",
            "terms": ["agents", "tool", "web"],
            "size": 96,
            "share": 0.0964,
            "previous_share": 0.0712,
            "rising": False,
        }
    ],
    "papers": [
        {
            "id": "2606.28374",
            "x": 412.3,
            "y": 88.1,
            "cluster": 0,
            "title": "Self-Evolving Agents for Web Tasks",
        }
    ],
}


def builder(request: Request) -> MapBuilder | None:
    found: MapBuilder | None = getattr(request.app.state, "maps", None)
    return found


@router.get(
    "/map",
    response_model=MapOut,
    summary="Topic map of a period",
    responses={200: {"content": {"application/json": {"example": EXAMPLE}}}},
)
def topic_map(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    period: Annotated[
        str | None,
        Query(
            max_length=16,
            description="2026-06-24, 2026-W27 or 2026-06; default: the newest week",
            examples=["2026-W27"],
        ),
    ] = None,
) -> dict[str, Any]:
    """The papers of a period placed in 2D from their embeddings (t-SNE), grouped into
    topics labelled with their distinctive terms, and which topics grew against the
    previous period. Papers without an embedding yet are left out and counted. A large
    map not built yet answers 503 with Retry-After while it is built in the background."""
    view = load_map(store, settings, period, builder(request))
    if view.period is None:
        raise NotFound("no papers yet: ingest some first")
    if view.status == "building":
        raise ServiceUnavailable(
            f"the map of {view.key} ({view.embedded} papers) is being built; retry shortly",
            retry_after=BUILD_RETRY_SECONDS,
        )
    payload = view.payload or {}
    return {
        "period": view.key,
        "view": view.period.view,
        "start": view.period.start,
        "end": view.period.end,
        "status": view.status,
        "built_at": view.built_at,
        "previous_period": view.previous_key,
        "papers_without_embedding": view.missing,
        "clusters": payload.get("clusters", []),
        "papers": payload.get("papers", []),
    }
