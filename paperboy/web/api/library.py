"""The library in the JSON API: list (paginated, filtered), save/update, remove.

Authenticated through the ``CurrentReader`` guard (the session or an API token), so these
routes answer 401 without a reader. State changes need the CSRF token like every other
route (header ``X-CSRF-Token``) or an API token. The models are in ``schemas``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from paperboy.errors import InvalidInput, NotFound
from paperboy.feed.tldr import tldrs_for
from paperboy.library.importer import check_note
from paperboy.store import Store, StoredUser
from paperboy.store.library import SORTS, LibrarySort, TagCount, clean_tags
from paperboy.web.api.schemas import (
    CollectionOut,
    ErrorOut,
    LibraryItemIn,
    LibraryItemOut,
    LibraryOut,
)
from paperboy.web.deps import CurrentReader, SettingsDep, StoreDep, find_paper

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in (no session or API token)"},
    403: {"model": ErrorOut, "description": "No CSRF token"},
    422: {"model": ErrorOut, "description": "Invalid parameter or body"},
}
router = APIRouter(prefix="/api/library", tags=["library"], responses=ERRORS)


def _item(store: Store, user: StoredUser, base_url: str, paper_id: int) -> LibraryItemOut:
    entry = store.library.library_entry(user.id, paper_id)
    if entry is None:
        raise NotFound("that paper is not in your library")
    return LibraryItemOut.of(entry, base_url, store.votes.vote_totals([paper_id]).get(paper_id))


@router.get("", response_model=LibraryOut, summary="Your saved papers")
def list_library(
    store: StoreDep,
    settings: SettingsDep,
    reader: CurrentReader,
    tag: Annotated[
        str | None, Query(max_length=200, description="Only this collection", examples=["ML"])
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Only papers whose title, authors or note contain every word",
            examples=["attention"],
        ),
    ] = None,
    sort: Annotated[
        LibrarySort,
        Query(description="`saved` (newest first), `announced` (newest first) or `title`"),
    ] = "saved",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> LibraryOut:
    """The signed-in reader's library, newest saved first, with notes and collections."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    page = store.library.library_entries(
        reader.id, tag=tag or None, text=q or None, sort=sort, limit=limit, offset=offset
    )
    totals = store.votes.vote_totals(e.paper.id for e in page.entries)
    tldrs = tldrs_for(store, (e.paper for e in page.entries))
    tags: list[TagCount] = store.library.tag_counts(reader.id)
    return LibraryOut(
        total=page.total,
        limit=limit,
        offset=offset,
        collections=[CollectionOut(name=t.tag, count=t.count) for t in tags],
        items=[
            LibraryItemOut.of(e, settings.base_url, totals.get(e.paper.id), tldrs.get(e.paper.id))
            for e in page.entries
        ],
    )


NOT_SAVED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown paper, or not in your library"}
}


@router.get(
    "/{arxiv_id:path}",
    response_model=LibraryItemOut,
    summary="One saved paper",
    responses=NOT_SAVED,
)
def get_item(
    arxiv_id: str, store: StoreDep, settings: SettingsDep, reader: CurrentReader
) -> LibraryItemOut:
    paper = find_paper(store, arxiv_id)
    return _item(store, reader, settings.base_url, paper.id)


@router.put(
    "/{arxiv_id:path}",
    response_model=LibraryItemOut,
    summary="Save a paper, set its collections and note",
    responses={
        201: {"model": LibraryItemOut, "description": "Saved now (it was not saved before)"},
        409: {"model": ErrorOut, "description": "Library or collection limit reached"},
        **NOT_SAVED,
    },
)
def put_item(
    arxiv_id: str,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    reader: CurrentReader,
    body: Annotated[LibraryItemIn, Body()] = LibraryItemIn(),  # noqa: B008
) -> LibraryItemOut:
    """Saves the paper (idempotent; 201 when it is new to the library, else 200).
    `tags` replaces its collections, `note` its private note; a field left out keeps
    its value."""
    paper = find_paper(store, arxiv_id)
    tags = clean_tags(body.tags) if body.tags is not None else None
    if body.note is not None:
        check_note(settings, body.note)
    created = store.library.save(
        reader.id,
        paper.id,
        tags=tags or (),
        replace_tags=tags is not None,
        note=body.note,
        max_items=settings.library_max_items,
        max_tags=settings.library_max_collections,
    )
    response.status_code = 201 if created else 200
    return _item(store, reader, settings.base_url, paper.id)


@router.delete(
    "/{arxiv_id:path}",
    status_code=204,
    summary="Remove a paper from your library",
    responses=NOT_SAVED,
)
def delete_item(arxiv_id: str, store: StoreDep, reader: CurrentReader) -> Response:
    """Removes the paper, its note and its collection memberships (404 if not saved)."""
    paper = find_paper(store, arxiv_id)
    if not store.library.unsave(reader.id, paper.id):
        raise NotFound("that paper is not in your library")
    return Response(status_code=204)
