"""Models of a reader's library: saved papers, collections, the export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from paperboy.store.library import LibraryEntry
from paperboy.store.tldr import PaperTldr
from paperboy.web.api.schemas.papers import PaperOut

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
    def of(
        cls,
        entry: LibraryEntry,
        base_url: str,
        upvotes: int | None,
        tldr: PaperTldr | None = None,
    ) -> LibraryItemOut:
        return cls(
            paper=PaperOut.of(entry.paper, base_url, upvotes, tldr=tldr),
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


class LibraryExportOut(BaseModel):
    """The JSON export of a library (``/library/export.json``)."""

    exported_at: datetime = Field(description="When the file was made (UTC)")
    collection: str | None = Field(description="The exported collection; null: all")
    count: int
    papers: list[LibraryItemOut] = Field(description="Oldest saved first")


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
