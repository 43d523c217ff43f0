"""``GET /api/authors/{name}``: an author's page as JSON (paperboy.feed.authors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from paperboy.feed.authors import MAX_PER_PAGE, author_page
from paperboy.store.author_names import MAX_NAME_LENGTH
from paperboy.web.api.schemas import ErrorOut
from paperboy.web.api.schemas.authors import EXAMPLE_AUTHOR, AuthorOut
from paperboy.web.deps import SettingsDep, StoreDep

router = APIRouter(prefix="/api", tags=["authors"])


@router.get(
    "/authors/{name}",
    response_model=AuthorOut,
    summary="An author's papers, co-authors and categories",
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE_AUTHOR}}},
        404: {"model": ErrorOut, "description": "No paper carries a matching name"},
        422: {"model": ErrorOut, "description": "A bad name, page or per_page"},
    },
)
def author_api(
    name: Annotated[
        str,
        Path(
            max_length=MAX_NAME_LENGTH,
            description="An author's name as papers spell it; accents, case, hyphens and "
            "unambiguous initials do not matter (one word: a surname)",
            examples=["Noam Shazeer"],
        ),
    ],
    store: StoreDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 25,
) -> AuthorOut:
    """The papers under a name, newest first and paged, with the names they share papers
    with (and how many), the primary categories per year and the upvotes received.
    Matching follows docs/authors.md; the search's `author:` filter matches the same
    papers. A name is not a person: `note` says so, `matched_names` shows every spelling."""
    view = author_page(store, name, page=page, per_page=per_page)
    totals = store.votes.vote_totals(p.id for p in view.papers)
    return AuthorOut.of(view, settings.base_url, totals)
