"""Output models of an author's page (``GET /api/authors/{name}``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from paperboy.feed.authors import AuthorPage, author_path
from paperboy.web.api.docs.examples import SUCCESS_EXAMPLES
from paperboy.web.api.schemas.papers import PaperOut

NAME_NOTE = (
    "A name is not a person: these are the papers whose author lists carry a matching "
    "name (accents, case, hyphens and unambiguous initials aside). Two people may share "
    "a name and one person may publish under several."
)


class CoAuthorOut(BaseModel):
    name: str = Field(examples=["Ashish Vaswani"])
    papers: int = Field(description="Papers of this page's name that they are on", examples=[3])
    url: str = Field(description="Their author page")


class CategoryYearOut(BaseModel):
    year: int = Field(examples=[2026])
    total: int = Field(description="Papers announced that year", examples=[4])
    categories: dict[str, int] = Field(
        description="Papers by primary category, busiest first", examples=[{"cs.CL": 3}]
    )


class AuthorOut(BaseModel):
    name: str = Field(description="The name as asked for", examples=["Noam Shazeer"])
    key: str = Field(description="Its normal form (docs/authors.md)", examples=["noam shazeer"])
    matched_names: list[str] = Field(
        description="Every spelling that matched, most papers first", examples=[["Noam Shazeer"]]
    )
    surname_only: bool = Field(description="A one-word name: every name with that surname matched")
    note: str = Field(description="What a match means", examples=[NAME_NOTE])
    total: int = Field(description="Papers under the name", examples=[12])
    page: int = Field(examples=[1])
    pages: int = Field(examples=[1])
    next_page: int | None = Field(None, description="The next page's number; null on the last")
    upvotes: int = Field(description="Upvotes its papers received, imported and local")
    imported_upvotes: int = Field(description="Of which imported (Hugging Face)")
    local_upvotes: int = Field(description="Of which from this site's readers")
    coauthors: list[CoAuthorOut]
    categories_by_year: list[CategoryYearOut] = Field(description="Newest year first")
    feeds: dict[str, str] = Field(description="The name's RSS and Atom feeds")
    papers: list[PaperOut] = Field(description="This page of papers, newest first")

    @classmethod
    def of(cls, view: AuthorPage, base_url: str, totals: dict[int, int]) -> AuthorOut:
        base = base_url.rstrip("/")
        feed = base + "/feeds" + author_path(view.asked)
        return cls(
            name=view.asked.strip(),
            key=view.key,
            matched_names=view.names,
            surname_only=view.surname_only,
            note=NAME_NOTE,
            total=view.total,
            page=view.page,
            pages=view.pages,
            next_page=view.page + 1 if view.page < view.pages else None,
            upvotes=view.upvotes,
            imported_upvotes=view.imported_upvotes,
            local_upvotes=view.local_upvotes,
            coauthors=[
                CoAuthorOut(name=c.name, papers=c.papers, url=base + author_path(c.name))
                for c in view.coauthors
            ],
            categories_by_year=[
                CategoryYearOut(year=y.year, total=y.total, categories=dict(y.categories))
                for y in view.years
            ],
            feeds={"rss": feed + ".rss", "atom": feed + ".atom"},
            papers=[PaperOut.of(p, base_url, totals.get(p.id)) for p in view.papers],
        )


EXAMPLE_AUTHOR: dict[str, Any] = {
    "name": "Noam Shazeer",
    "key": "noam shazeer",
    "matched_names": ["Noam Shazeer"],
    "surname_only": False,
    "note": NAME_NOTE,
    "total": 1,
    "page": 1,
    "pages": 1,
    "next_page": None,
    "upvotes": 3,
    "imported_upvotes": 3,
    "local_upvotes": 0,
    "coauthors": [
        {
            "name": "Ashish Vaswani",
            "papers": 1,
            "url": "https://paperboy.example/author/Ashish%20Vaswani",
        }
    ],
    "categories_by_year": [{"year": 2026, "total": 1, "categories": {"cs.CL": 1}}],
    "feeds": {
        "rss": "https://paperboy.example/feeds/author/Noam%20Shazeer.rss",
        "atom": "https://paperboy.example/feeds/author/Noam%20Shazeer.atom",
    },
    "papers": [SUCCESS_EXAMPLES[("get", "/api/papers/{arxiv_id}")]],
}
