"""Query parameters shared by the search page and the search API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from paperboy.feed.periods import parse_day
from paperboy.search.query import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from paperboy.search.service import MAX_PAGE, Mode, Sort


@dataclass(frozen=True, slots=True)
class SearchParams:
    q: str
    cat: str | None
    date_from: str | None
    date_to: str | None
    sort: Sort
    mode: Mode
    page: int
    has_code: bool = False

    def parsed(self) -> ParsedQuery:
        return parse_query(
            self.q,
            categories=[self.cat] if self.cat else None,
            date_from=parse_day(self.date_from) if self.date_from else None,
            date_to=parse_day(self.date_to) if self.date_to else None,
            has_code=self.has_code,
        )


def search_params(
    q: Annotated[
        str,
        Query(
            description='Words, "phrases", author:NAME, cat:CATEGORY, year:2025, '
            "from:/to:YYYY-MM-DD, has:code, or an arXiv id/URL",
            examples=['"sparse attention" long context cat:cs.CL'],
            max_length=MAX_QUERY_LENGTH,
        ),
    ] = "",
    cat: Annotated[str | None, Query(description="Only this arXiv category", max_length=64)] = None,
    date_from: Annotated[
        str | None,
        Query(alias="from", description="Announced on or after (YYYY-MM-DD)", max_length=10),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", description="Announced on or before (YYYY-MM-DD)", max_length=10),
    ] = None,
    sort: Annotated[Sort, Query(description="relevance, or newest first")] = "relevance",
    mode: Annotated[
        Mode, Query(description="hybrid (fused), lexical (BM25) or semantic (embeddings)")
    ] = "hybrid",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    has_code: Annotated[
        bool, Query(description="Only papers that link a code repository (as has:code)")
    ] = False,
) -> SearchParams:
    return SearchParams(
        q, cat or None, date_from or None, date_to or None, sort, mode, page, has_code
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]
