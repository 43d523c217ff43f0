"""A reader's library on the web: the Save control on every paper, the /library page
(filters, notes, collections, removal) and the form routes behind them.

Every change is a plain POST form (CSRF-checked app-wide) that answers 303 back to a
local ``next``, so the library works without JavaScript. Signed-out readers are sent to
the sign-in page and come back to where they were. Export and import live in
``library_io``, the JSON API in ``library_api``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.config import Settings
from paperboy.errors import Forbidden, InvalidInput
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.library import SORTS, LibraryEntry, LibrarySort, clean_tag
from paperboy.web.auth import CurrentUser, get_current_user
from paperboy.web.deps import SettingsDep, StoreDep, find_paper
from paperboy.web.rendering import env, render

router = APIRouter(include_in_schema=False)
PATH = "/library"
NextField = Annotated[str, Form(max_length=2000)]
NameField = Annotated[str, Form(max_length=200)]
_NO_COLLECTIONS: list[str] = []


def reader_collections(request: Request) -> list[str]:
    """The signed-in reader's collection names, for the Save control's menu: one query
    per request, however many papers the page lists."""
    cached = getattr(request.state, "library_collections", None)
    if isinstance(cached, list):
        return cached
    user = get_current_user(request)
    names = _NO_COLLECTIONS
    if user is not None:
        store: Store = request.app.state.store
        names = [t.tag for t in store.library.tag_counts(user.id)]
    request.state.library_collections = names
    return names


def reader_entry(request: Request, paper: StoredPaper) -> LibraryEntry | None:
    """The signed-in reader's library entry for a paper (note, collections), for the
    paper page; None when signed out or not saved."""
    user = get_current_user(request)
    if user is None:
        return None
    store: Store = request.app.state.store
    return store.library.library_entry(user.id, paper.id)


env.globals["reader_collections"] = reader_collections
env.globals["reader_entry"] = reader_entry


def back_to(next_path: str, fallback: str) -> str:
    """A local path to go back to: ``next`` when it is one, else ``fallback``."""
    if not next_path:
        return fallback
    back = safe_next(next_path)
    if back == DEFAULT_AFTER_SIGN_IN and next_path != DEFAULT_AFTER_SIGN_IN:
        return fallback  # not a local path: never send anyone to another site
    return back


def to_sign_in(next_path: str) -> RedirectResponse:
    return RedirectResponse("/signin?" + urlencode({"next": next_path}), status_code=303)


def wanted_tags(*names: str | list[str]) -> list[str]:
    """Collection names from form fields (empty ones dropped), cleaned."""
    flat: list[str] = []
    for name in names:
        flat.extend(name if isinstance(name, list) else [name])
    return [clean_tag(n) for n in flat if n.strip()]


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


def check_note(settings: Settings, note: str) -> str:
    if len(note) > settings.library_note_max_chars:
        raise InvalidInput(f"a note has at most {settings.library_note_max_chars} characters")
    return note


@router.post("/paper/{arxiv_id:path}/save", response_model=None)
def save_form(
    request: Request,
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    next: NextField = "",
    collection: NameField = "",
    new_collection: NameField = "",
) -> Response:
    """Save the paper, into a chosen and/or a new collection, and go back (or, asked for
    JSON, answer the control's new state)."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, f"/paper/{paper.arxiv_id}")
    if user is None:
        if wants_json(request):
            raise Forbidden("sign in to save papers")
        return to_sign_in(back)
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
    request: Request, arxiv_id: str, store: StoreDep, user: CurrentUser, next: NextField = ""
) -> Response:
    """Remove the paper (and its collection memberships) from the library."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, f"/paper/{paper.arxiv_id}")
    if user is None:
        if wants_json(request):
            raise Forbidden("sign in to save papers")
        return to_sign_in(back)
    store.library.unsave(user.id, paper.id)
    if wants_json(request):
        return save_state(store, user, paper.arxiv_id, paper.id)
    return RedirectResponse(back, status_code=303)


@router.post("/paper/{arxiv_id:path}/note")
def note_form(
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    next: NextField = "",
    note: Annotated[str, Form(max_length=100_000)] = "",
) -> RedirectResponse:
    """Replace the private note of a saved paper (empty clears it)."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, PATH)
    if user is None:
        return to_sign_in(back)
    store.library.set_note(user.id, paper.id, check_note(settings, note))
    return RedirectResponse(back, status_code=303)


@router.post("/paper/{arxiv_id:path}/collections")
def collections_form(
    arxiv_id: str,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    next: NextField = "",
    collection: Annotated[list[str] | None, Form()] = None,
    new_collection: NameField = "",
) -> RedirectResponse:
    """Make the ticked collections (plus a new one) exactly the paper's collections."""
    paper = find_paper(store, arxiv_id)
    back = back_to(next, PATH)
    if user is None:
        return to_sign_in(back)
    store.library.set_tags(
        user.id,
        paper.id,
        wanted_tags(collection or [], new_collection),
        max_tags=settings.library_max_collections,
    )
    return RedirectResponse(back, status_code=303)


@router.post(PATH + "/collections/rename")
def rename_collection_form(
    store: StoreDep, user: CurrentUser, name: NameField = "", new_name: NameField = ""
) -> RedirectResponse:
    """Rename a collection (into an existing one: merge) and show it."""
    if user is None:
        return to_sign_in(PATH)
    store.library.rename_tag(user.id, name, new_name)
    renamed = store.library.tag_counts(user.id)
    shown = next((t.tag for t in renamed if t.tag.casefold() == clean_tag(new_name).casefold()), "")
    return RedirectResponse(PATH + "?" + urlencode({"tag": shown}), status_code=303)


@router.post(PATH + "/collections/delete")
def delete_collection_form(
    store: StoreDep, user: CurrentUser, name: NameField = ""
) -> RedirectResponse:
    """Delete a collection; its papers stay in the library."""
    if user is None:
        return to_sign_in(PATH)
    store.library.delete_tag(user.id, name)
    return RedirectResponse(PATH, status_code=303)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def library_page_context(
    store: Store,
    user: StoredUser,
    *,
    tag: str | None,
    q: str,
    sort: LibrarySort,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    tags = store.library.tag_counts(user.id)
    if tag:  # show the collection under its own spelling, however the URL wrote it
        tag = next((t.tag for t in tags if t.tag.casefold() == tag.casefold()), tag)
    entries = store.library.library_entries(
        user.id,
        tag=tag or None,
        text=q or None,
        sort=sort,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    pages = max(1, -(-entries.total // page_size))
    filters = {k: v for k, v in (("tag", tag), ("q", q), ("sort", sort)) if v and v != "saved"}

    def page_url(number: int) -> str:
        return PATH + "?" + urlencode({**filters, "page": number})

    export_query = ("?" + urlencode({"tag": tag})) if tag else ""
    return {
        "entries": entries.entries,
        "total": entries.total,
        "saved_total": store.library.count_saved(user.id),
        "tags": tags,
        "tag": tag or "",
        "q": q,
        "sort": sort,
        "sorts": SORTS,
        "page": page,
        "pages": pages,
        "page_url": page_url,
        "export_query": export_query,
    }


@router.get(PATH, response_class=HTMLResponse, response_model=None)
def library_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    tag: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=500)] = "",
    sort: Annotated[str, Query(max_length=16)] = "saved",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The reader's saved papers, with filters by collection and text, and sorting."""
    if user is None:
        return to_sign_in(_here(request))
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    context = library_page_context(
        store,
        user,
        tag=tag.strip() or None,
        q=q.strip(),
        sort=sort,  # narrowed to LibrarySort by the check above
        page=page,
        page_size=settings.page_size,
    )
    context["here"] = _here(request)
    context["note_max_chars"] = settings.library_note_max_chars
    return render(request, "library.html", context)
