"""``/author/{name}``: the papers under a name (paperboy.feed.authors), linked from
every author name on listing rows and paper pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from paperboy.community.votes import vote_view
from paperboy.feed.authors import author_page, author_path
from paperboy.web.auth import get_current_user
from paperboy.web.deps import StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/author/{name}", response_class=HTMLResponse)
def author_html(
    request: Request,
    name: str,
    store: StoreDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    view = author_page(store, name, page=page)
    user = get_current_user(request)
    return render(
        request,
        "author.html",
        {
            "view": view,
            "path": author_path(view.asked),
            "votes": vote_view(store, user, view.papers),
        },
    )
