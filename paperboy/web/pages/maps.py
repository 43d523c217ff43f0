"""``/map``: the topic map of a period, a server-rendered SVG (docs/maps.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from paperboy.maps.drawing import map_page
from paperboy.web.api.maps import builder
from paperboy.web.deps import SettingsDep, StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/map", response_class=HTMLResponse)
def topic_map_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    period: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    page = map_page(store, settings, period, builder(request))
    return render(request, "map.html", {"page": page, "view": page.view, "drawing": page.drawing})
