"""A reader's library on the web: the Save control on every paper, the /library page
(filters, notes, collections, removal) and the form routes behind them.

Every change is a plain POST form (CSRF-checked app-wide) that answers 303 back to a
local ``next``, so the library works without JavaScript. Signed-out readers are sent to
the sign-in page (the ``CurrentReader`` guard) and come back to where they were. The
forms on a paper (save, unsave, note, collections) live in ``library_forms``, export and
import in ``library_io``, the JSON API in ``api/library``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.errors import InvalidInput
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.library import SORTS, LibraryEntry, LibrarySort, clean_tag
from paperboy.web.auth import get_current_user
from paperboy.web.deps import CurrentReader, SettingsDep, StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
PATH = "/library"
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


@router.post(PATH + "/collections/rename")
def rename_collection_form(
    store: StoreDep, user: CurrentReader, name: NameField = "", new_name: NameField = ""
) -> RedirectResponse:
    """Rename a collection (into an existing one: merge) and show it."""
    store.library.rename_tag(user.id, name, new_name)
    renamed = store.library.tag_counts(user.id)
    shown = next((t.tag for t in renamed if t.tag.casefold() == clean_tag(new_name).casefold()), "")
    return RedirectResponse(PATH + "?" + urlencode({"tag": shown}), status_code=303)


@router.post(PATH + "/collections/delete")
def delete_collection_form(
    store: StoreDep, user: CurrentReader, name: NameField = ""
) -> RedirectResponse:
    """Delete a collection; its papers stay in the library."""
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
    user: CurrentReader,
    tag: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=500)] = "",
    sort: Annotated[str, Query(max_length=16)] = "saved",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The reader's saved papers, with filters by collection and text, and sorting."""
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
