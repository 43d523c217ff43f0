"""Moderation form routes: ``POST /paper/{id}/pick`` (``Curator``: curators and admins)
features the paper on its day's page or takes the pick back; ``POST /paper/{id}/hide``
(``Admin``) hides it from listings for everyone but admins or shows it again. Plain
forms (CSRF-checked app-wide) answering 303 back to the paper page; signed-out posters
go to the sign-in page, other roles get 403. The behaviour is ``community.moderation``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from paperboy.community.moderation import toggle_hidden, toggle_pick
from paperboy.web.deps import Admin, Curator, StoreDep, find_paper

router = APIRouter(include_in_schema=False)


@router.post("/paper/{arxiv_id:path}/pick")
def pick_form(arxiv_id: str, store: StoreDep, user: Curator) -> RedirectResponse:
    """Feature the paper on its day's page, or take the pick back (curators, admins)."""
    paper = find_paper(store, arxiv_id)
    toggle_pick(store, paper, user)
    return RedirectResponse(f"/paper/{paper.arxiv_id}", status_code=303)


@router.post("/paper/{arxiv_id:path}/hide")
def hide_form(arxiv_id: str, store: StoreDep, user: Admin) -> RedirectResponse:
    """Hide the paper from listings for everyone but admins, or show it again."""
    paper = find_paper(store, arxiv_id)
    toggle_hidden(store, paper, user)
    return RedirectResponse(f"/paper/{paper.arxiv_id}", status_code=303)
