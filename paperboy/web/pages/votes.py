"""The upvote form route: ``POST /paper/{id}/vote`` toggles the reader's upvote.

It works without JavaScript (303 back to a local ``next``); ``static/vote.js`` submits
the same form with fetch to the JSON route ``POST /api/papers/{id}/vote`` and updates
the button in place. Signed-out voters are sent to the sign-in page (``CurrentReader``;
the API answers 401). The counts listings show come from ``community.votes.vote_view``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.web.deps import CurrentReader, StoreDep, find_paper

router = APIRouter(include_in_schema=False)
NextField = Annotated[str, Form(max_length=2000)]


@router.post("/paper/{arxiv_id:path}/vote")
def vote_form(
    arxiv_id: str, store: StoreDep, user: CurrentReader, next: NextField = ""
) -> RedirectResponse:
    """Toggle the reader's upvote, then go back to the (local) page the form was on."""
    paper = find_paper(store, arxiv_id)
    here = f"/paper/{paper.arxiv_id}"
    back = safe_next(next) if next else here
    if back == DEFAULT_AFTER_SIGN_IN and next != DEFAULT_AFTER_SIGN_IN:
        back = here  # not a local path: back to the paper, never to another site
    store.votes.toggle_vote(user.id, paper.id)
    return RedirectResponse(back, status_code=303)
