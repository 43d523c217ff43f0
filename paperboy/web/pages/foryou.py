"""The "For you" page (/for-you) and its "Not interested" button; the JSON API is in
``web/api/foryou.py``.

Recommendations come from paperboy.rank.foryou (see docs/ranking.md, "For you"). The
"Not interested" form works without JavaScript (POST, then 303 back to a local ``next``);
the JSON API takes the mark with PUT and removes it with DELETE.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.community.votes import vote_view
from paperboy.rank.foryou import feed_window, recommend_for_reader
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep, find_paper
from paperboy.web.rendering import render

PAGE = "/for-you"
router = APIRouter(include_in_schema=False)


@router.get(PAGE, response_model=None)
def for_you_page(
    request: Request,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    user: CurrentReader,
) -> Response:
    """The signed-in reader's recommendations, each with the reason it was picked."""
    recs = recommend_for_reader(
        store,
        search,
        user.id,
        limit=settings.foryou_limit,
        window_days=settings.foryou_window_days,
    )
    has_seeds = bool(recs) or bool(store.recommend.reader_seeds(user.id))
    since, until = feed_window(store, settings.foryou_window_days)
    return render(
        request,
        "foryou.html",
        {
            "recs": recs,
            "reasons": {r.paper.id: r.reason for r in recs},
            "has_seeds": has_seeds,
            "since": since,
            "until": until,
            "votes": vote_view(store, user, [r.paper for r in recs]),
        },
    )


@router.post("/paper/{arxiv_id:path}/not-interested")
def not_interested_form(
    arxiv_id: str,
    store: StoreDep,
    user: CurrentUser,
    next: Annotated[str, Form(max_length=2000)] = "",
    undo: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """Mark (or with ``undo`` unmark) the paper, then go back to the local ``next``."""
    paper = find_paper(store, arxiv_id)
    back = safe_next(next) if next else PAGE
    if back == DEFAULT_AFTER_SIGN_IN and next != DEFAULT_AFTER_SIGN_IN:
        back = PAGE  # not a local path: never to another site
    if user is None:
        return RedirectResponse("/signin?" + urlencode({"next": back}), status_code=303)
    if undo:
        store.recommend.unmark_not_interested(user.id, paper.id)
    else:
        store.recommend.mark_not_interested(user.id, paper.id)
    return RedirectResponse(back, status_code=303)
