"""Editor's picks and hidden papers: the form routes and the day page's picks.

``POST /paper/{id}/pick`` (curators and admins) features the paper on the day it was
announced, or takes the pick back; the day view of the feed shows "Editor's picks" above
the list. ``POST /paper/{id}/hide`` (admins) hides the paper from the feed, search
results and trending for everyone but admins, or shows it again. Plain forms
(CSRF-checked app-wide) answering 303 back to the paper page; signed-out posters go to
the sign-in page, other roles get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from paperboy.clock import utcnow
from paperboy.errors import Forbidden
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import StoreDep, find_paper

router = APIRouter(include_in_schema=False)


def day_picks(store: Store, day: date, *, admin: bool = False) -> list[StoredPaper]:
    """The editor's picks of ``day`` (hidden papers only for admins)."""
    ids = store.moderation.pick_ids_on(day)
    found = store.papers.get_papers_by_ids(ids)
    return [found[i] for i in ids if i in found and (admin or not found[i].hidden)]


def _to_sign_in(here: str) -> RedirectResponse:
    return RedirectResponse("/signin?" + urlencode({"next": here}), status_code=303)


def _moderate(
    store: Store,
    arxiv_id: str,
    user: StoredUser | None,
    allowed: Callable[[StoredUser], bool],
    refusal: str,
    action: Callable[[StoredPaper, StoredUser], object],
) -> RedirectResponse:
    """The shared shape of a moderation POST: signed out → sign in; wrong role → 403;
    otherwise act on the paper and go back to its page."""
    paper = find_paper(store, arxiv_id)
    here = f"/paper/{paper.arxiv_id}"
    if user is None:
        return _to_sign_in(here)
    if not allowed(user):
        raise Forbidden(refusal)
    action(paper, user)
    return RedirectResponse(here, status_code=303)


@router.post("/paper/{arxiv_id:path}/pick")
def pick_form(arxiv_id: str, store: StoreDep, user: CurrentUser) -> RedirectResponse:
    """Feature the paper on its day's page, or take the pick back (curators, admins)."""
    return _moderate(
        store,
        arxiv_id,
        user,
        lambda u: u.is_curator,
        "only curators and admins pick papers",
        lambda p, u: store.moderation.toggle_pick(p.id, u.id, p.announced or utcnow().date()),
    )


@router.post("/paper/{arxiv_id:path}/hide")
def hide_form(arxiv_id: str, store: StoreDep, user: CurrentUser) -> RedirectResponse:
    """Hide the paper from listings for everyone but admins, or show it again."""
    return _moderate(
        store,
        arxiv_id,
        user,
        lambda u: u.is_admin,
        "only admins hide papers",
        lambda p, _u: store.moderation.set_paper_hidden(p.id, not p.hidden),
    )
