"""Search from a plain query string, for clients that send only words and a limit
(Hugging Face's ``/api/papers/search``, the MCP ``search_papers`` tool)."""

from __future__ import annotations

from paperboy.errors import InvalidInput
from paperboy.search.query import parse_query
from paperboy.search.service import SearchService
from paperboy.store import StoredPaper


def search_papers(search: SearchService, q: str, *, limit: int = 20) -> list[StoredPaper]:
    """The best ``limit`` papers for ``q`` by paperboy's hybrid search, best first (an arXiv
    id or URL finds that paper alone)."""
    if not q.strip():
        raise InvalidInput("the query must not be empty")
    results = search.search(parse_query(q), mode="hybrid", page=1, per_page=limit)
    return [hit.paper for hit in results.hits]
