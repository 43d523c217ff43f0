"""Search: BM25 keywords and MiniLM embeddings, fused. The public API is SearchService;
everything else here is its parts."""

from paperboy.search.query import ParsedQuery, parse_query
from paperboy.search.service import SearchHit, SearchResults, SearchService

__all__ = ["ParsedQuery", "SearchHit", "SearchResults", "SearchService", "parse_query"]
