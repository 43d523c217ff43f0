"""The library forms on a paper: save (into a chosen and/or a new collection), unsave,
the private note and the paper's collections.

Each is a plain POST form (CSRF-checked app-wide) that answers 303 back to a local
``next``; save and unsave also answer JSON (the control's new state) when
static/library.js asks for it. Signed-out readers meet the ``CurrentReader`` guard: a
303 to the sign-in page, or a 401 when they asked for JSON.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.library.importer import check_note, wanted_tags
from paperboy.store import Store, StoredUser
from paperboy.web.deps import CurrentReader, SettingsDep, StoreDep, find_paper

router = APIRouter(include_in_schema=False)
LIBRARY = "/library"
NextField = Annotated[str, Form(max_length=2000)]
NameField = Annotated[str, Form(max_length=200)]


def back_to(next_path: str, fallback: str) -> str:
    """A local path to go back to: ``next`` when it is one, else ``fallback``."""
    if not next_path:
        return fallback
    back = safe_next(next_path)
    if back == DEFAULT_AFTER_SIGN_IN and next_path != DEFAULT_AFTER_SIGN_IN:
        return fallback  # not a local path: never send anyone to another site
    return back


def wants_json(request: Request) -> bool:
    """static/library.js asks for JSON (Accept) to update the page in place."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def save_state(store: Store, user: StoredUser, arxiv_id: str, paper_id: int) -> JSONResponse:
    """What the Save control shows after a change, for static/library.js."""
    entry = store.library.library_entry(user.id, paper_id)
    return JSONResponse(
        {
            "id": arxiv_id,
            "saved": entry is not None,
            "tags": entry.tags if entry else [],
            "collections": [t.tag for t in store.library.tag_counts(user.id)],
        }
    )


@router.post("/paper/{arxiv_id:path}/save", response_model=None)
def save_form(
    request: Request,
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentReader,
    next: NextField = "",
    collection: NameField = "",
    new_collection: NameField = "",
) -> Response:
    """Save the paper, into a chosen and/or a new collection, and go back (or, asked for
    JSON, answer the control's new state)."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, f"/paper/{paper.arxiv_id}")
    store.library.save(
        user.id,
        paper.id,
        tags=wanted_tags(collection, new_collection),
        max_items=settings.library_max_items,
        max_tags=settings.library_max_collections,
    )
    if wants_json(request):
        return save_state(store, user, paper.arxiv_id, paper.id)
    return RedirectResponse(back, status_code=303)


@router.post("/paper/{arxiv_id:path}/unsave", response_model=None)
def unsave_form(
    request: Request, arxiv_id: str, store: StoreDep, user: CurrentReader, next: NextField = ""
) -> Response:
    """Remove the paper (and its collection memberships) from the library."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, f"/paper/{paper.arxiv_id}")
    store.library.unsave(user.id, paper.id)
    if wants_json(request):
        return save_state(store, user, paper.arxiv_id, paper.id)
    return RedirectResponse(back, status_code=303)


@router.post("/paper/{arxiv_id:path}/note")
def note_form(
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentReader,
    next: NextField = "",
    note: Annotated[str, Form(max_length=100_000)] = "",
) -> RedirectResponse:
    """Replace the private note of a saved paper (empty clears it)."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, LIBRARY)
    store.library.set_note(user.id, paper.id, check_note(settings, note))
    return RedirectResponse(back, status_code=303)


@router.post("/paper/{arxiv_id:path}/collections")
def collections_form(
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentReader,
    next: NextField = "",
    collection: Annotated[list[str] | None, Form()] = None,
    new_collection: NameField = "",
) -> RedirectResponse:
    """Make the ticked collections (plus a new one) exactly the paper's collections."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, LIBRARY)
    store.library.set_tags(
        user.id,
        paper.id,
        wanted_tags(collection or [], new_collection),
        max_tags=settings.library_max_collections,
    )
    return RedirectResponse(back, status_code=303)
