"""The library in the JSON API: list (paginated, filtered), save/update, remove.

Authenticated through the shared ``CurrentUser`` dependency (the session today; API
tokens plug into the same dependency), so these routes answer 403 without a reader.
State changes need the CSRF token like every other route (header ``X-CSRF-Token``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from paperboy.errors import Forbidden, InvalidInput, NotFound
from paperboy.store import Store, StoredUser
from paperboy.store.library import SORTS, LibraryEntry, LibrarySort, TagCount, clean_tags
from paperboy.web.api.schemas import ErrorOut, PaperOut
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import SettingsDep, StoreDep, find_paper
from paperboy.web.pages.library import check_note

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "Not signed in, or no CSRF token"},
    422: {"model": ErrorOut, "description": "Invalid parameter or body"},
}
router = APIRouter(prefix="/api/library", tags=["library"], responses=ERRORS)

EXAMPLE_PAPER: JsonDict = {
    "id": "1706.03762",
    "version": 7,
    "title": "Attention Is All You Need",
    "abstract": "The dominant sequence transduction models are based on ...",
    "authors": ["Ashish Vaswani", "Noam Shazeer"],
    "categories": ["cs.CL", "cs.LG"],
    "primary_category": "cs.CL",
    "submitted": "2017-06-12T17:57:34",
    "updated": "2023-08-02T00:41:18",
    "announced": "2017-06-13",
    "comment": None,
    "journal_ref": None,
    "doi": None,
    "license": None,
    "upvotes": 12,
    "url": "https://paperboy.example.org/paper/1706.03762",
    "links": {
        "abs": "https://arxiv.org/abs/1706.03762",
        "pdf": "https://arxiv.org/pdf/1706.03762v7",
    },
}
EXAMPLE_ITEM: JsonDict = {
    "paper": EXAMPLE_PAPER,
    "note": "Section 3.2: why scale by sqrt(d_k).",
    "tags": ["Reading group", "Transformers"],
    "saved_at": "2026-07-01T09:30:00Z",
    "updated_at": "2026-07-02T18:05:11Z",
}


class LibraryItemOut(BaseModel):
    """A saved paper with the reader's private note and collections."""

    model_config = {"json_schema_extra": {"examples": [EXAMPLE_ITEM]}}

    paper: PaperOut
    note: str | None = Field(description="Private note (plain text), only for its reader")
    tags: list[str] = Field(description="Collections the paper is in, by name")
    saved_at: datetime = Field(description="When the paper was saved (UTC)")
    updated_at: datetime = Field(description="Last change of note or collections (UTC)")

    @classmethod
    def of(cls, entry: LibraryEntry, base_url: str, upvotes: int | None) -> LibraryItemOut:
        return cls(
            paper=PaperOut.of(entry.paper, base_url, upvotes),
            note=entry.note,
            tags=entry.tags,
            saved_at=entry.saved_at.replace(tzinfo=UTC),
            updated_at=entry.updated_at.replace(tzinfo=UTC),
        )


class CollectionOut(BaseModel):
    name: str = Field(examples=["Transformers"])
    count: int = Field(examples=[14], description="Saved papers in the collection")


class LibraryOut(BaseModel):
    total: int = Field(examples=[42], description="Saved papers matching the filters")
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
    collections: list[CollectionOut] = Field(description="All the reader's collections")
    items: list[LibraryItemOut]


class LibraryItemIn(BaseModel):
    """What to set on a saved paper. A field left out keeps its value (a new save has
    no collections and no note); ``tags`` replaces the paper's collections."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [{"tags": ["Reading group"], "note": "Compare with 2310.06825."}]
        },
    }

    tags: list[Annotated[str, Field(max_length=200)]] | None = Field(
        None, max_length=200, description="Collection names (1-64 characters each)"
    )
    note: str | None = Field(None, max_length=100_000, description="Private note; empty clears")


def _require(user: StoredUser | None) -> StoredUser:
    if user is None:
        raise Forbidden("sign in to use your library")
    return user


def _item(store: Store, user: StoredUser, base_url: str, paper_id: int) -> LibraryItemOut:
    entry = store.library.library_entry(user.id, paper_id)
    if entry is None:
        raise NotFound("that paper is not in your library")
    return LibraryItemOut.of(entry, base_url, store.votes.vote_totals([paper_id]).get(paper_id))


@router.get("", response_model=LibraryOut, summary="Your saved papers")
def list_library(
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
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
    reader = _require(user)
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    page = store.library.library_entries(
        reader.id, tag=tag or None, text=q or None, sort=sort, limit=limit, offset=offset
    )
    totals = store.votes.vote_totals(e.paper.id for e in page.entries)
    tags: list[TagCount] = store.library.tag_counts(reader.id)
    return LibraryOut(
        total=page.total,
        limit=limit,
        offset=offset,
        collections=[CollectionOut(name=t.tag, count=t.count) for t in tags],
        items=[
            LibraryItemOut.of(e, settings.base_url, totals.get(e.paper.id)) for e in page.entries
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
    arxiv_id: str, store: StoreDep, settings: SettingsDep, user: CurrentUser
) -> LibraryItemOut:
    reader = _require(user)
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
    user: CurrentUser,
    body: Annotated[LibraryItemIn, Body()] = LibraryItemIn(),  # noqa: B008
) -> LibraryItemOut:
    """Saves the paper (idempotent; 201 when it is new to the library, else 200).
    `tags` replaces its collections, `note` its private note; a field left out keeps
    its value."""
    reader = _require(user)
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
def delete_item(arxiv_id: str, store: StoreDep, user: CurrentUser) -> Response:
    """Removes the paper, its note and its collection memberships (404 if not saved)."""
    reader = _require(user)
    paper = find_paper(store, arxiv_id)
    if not store.library.unsave(reader.id, paper.id):
        raise NotFound("that paper is not in your library")
    return Response(status_code=204)
