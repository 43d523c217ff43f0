"""paperboy as a Model Context Protocol server (``paperboy mcp``, stdio).

Five read-only tools: ``search_papers``, ``get_paper``, ``trending``, ``daily`` and
``similar_papers``. Each has a typed input schema (limits are the schema's maximum) and
an output schema; each answer is the structured result plus the same as readable text.
Bad input and unknown ids come back as tool errors (``isError``) with the reason; an
unexpected failure is logged on stderr and answered with a generic tool error, and the
server keeps serving. stdout carries the protocol only: logs go to stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from paperboy import __version__
from paperboy.config import Settings
from paperboy.errors import PaperboyError
from paperboy.mcp import text
from paperboy.mcp.models import (
    DailyAnswer,
    PaperDetails,
    SearchAnswer,
    SimilarAnswer,
    TrendingAnswer,
)
from paperboy.mcp.tools import PaperTools
from paperboy.search.query import MAX_QUERY_LENGTH
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.db import DatabaseError

log = logging.getLogger("paperboy.mcp")

MAX_SEARCH = 50
MAX_TRENDING = 50
MAX_DAILY = 100
MAX_SIMILAR = 30
INSTRUCTIONS = (
    "paperboy is a research-paper discovery service over arXiv papers: the daily listing, "
    "trending papers (upvotes from Hugging Face daily papers and from this instance's "
    "readers), hybrid keyword + semantic search and similar papers. Papers are named by "
    "their arXiv id (e.g. 2503.11731). Every tool only reads."
)
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

ArxivId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="An arXiv id, with or without version (2503.11731, 2503.11731v2, "
        "hep-th/9901001) or an arxiv.org URL",
    ),
]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A day, YYYY-MM-DD")]
HasCode = Annotated[
    bool, Field(description="Only papers that link a code repository (GitHub, GitLab, Bitbucket)")
]
Category = Annotated[
    str, Field(min_length=1, max_length=64, description="An arXiv category, e.g. cs.CL")
]


@contextmanager
def _tool_errors() -> Iterator[None]:
    """Expected failures become tool errors with their reason (the model can correct
    its call); anything else is left to the SDK, which logs it and answers generically."""
    try:
        yield
    except PaperboyError as exc:
        raise ToolError(exc.detail) from None
    except DatabaseError as exc:
        log.error("database error: %s", exc)
        raise ToolError("the database could not answer; try again shortly") from None


def _answer(model: BaseModel, readable: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=readable)],
        structured_content=model.model_dump(mode="json"),
    )


def build_server(tools: PaperTools) -> MCPServer:
    """An MCP server whose tools answer from ``tools`` (one store, one search service)."""
    server: MCPServer = MCPServer(
        "paperboy", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    @server.tool(title="Search papers", annotations=READ_ONLY)
    def search_papers(
        query: Annotated[
            str,
            Field(
                max_length=MAX_QUERY_LENGTH,
                description='Words, "exact phrases", and filters in the query itself: '
                "author:NAME, cat:cs.CL, year:2025 (or 2024-2025), from:YYYY-MM-DD, "
                "to:YYYY-MM-DD, has:code. An arXiv id or URL returns that paper alone.",
            ),
        ],
        mode: Annotated[
            Literal["hybrid", "lexical", "semantic"],
            Field(
                description="hybrid: keyword (BM25) and embedding rankings fused and "
                "reranked (best); lexical: keywords only; semantic: embeddings only. "
                "Without stored embeddings, hybrid and semantic fall back to lexical and "
                "say so in `notes`."
            ),
        ] = "hybrid",
        limit: Annotated[int, Field(ge=1, le=MAX_SEARCH, description="Results to return")] = 10,
        category: Category | None = None,
        date_from: Annotated[Day | None, Field(description="Announced on or after")] = None,
        date_to: Annotated[Day | None, Field(description="Announced on or before")] = None,
        sort: Annotated[
            Literal["relevance", "date"], Field(description="relevance, or newest first")
        ] = "relevance",
        has_code: HasCode = False,
    ) -> Annotated[CallToolResult, SearchAnswer]:
        """Search the papers of this paperboy instance by words, phrases, authors,
        categories and dates; best first, each with its upvotes (Hugging Face and local),
        official code link and a matching snippet. `notes` says when results are
        limited (semantic search not ready, keyword index catching up)."""
        with _tool_errors():
            found = tools.search_papers(
                query,
                mode=mode,
                limit=limit,
                category=category,
                date_from=date_from,
                date_to=date_to,
                sort=sort,
                has_code=has_code,
            )
        return _answer(found, text.search_text(found))

    @server.tool(title="Get a paper", annotations=READ_ONLY)
    def get_paper(arxiv_id: ArxivId) -> Annotated[CallToolResult, PaperDetails]:
        """One paper by arXiv id: title, authors, abstract, dates, categories, upvotes
        split into Hugging Face's and this instance's, code and project links (official
        repository marked, GitHub stars when synced), Hugging Face's AI summary when it
        has one, and links (this site, arXiv abstract, PDF, HTML, DOI)."""
        with _tool_errors():
            found = tools.get_paper(arxiv_id)
        return _answer(found, text.paper_text(found))

    @server.tool(title="Trending papers", annotations=READ_ONLY)
    def trending(
        window: Annotated[
            Literal[1, 7, 30], Field(description="Days to look back: 1, 7 or 30")
        ] = 7,
        limit: Annotated[int, Field(ge=1, le=MAX_TRENDING, description="Papers to return")] = 20,
        has_code: HasCode = False,
    ) -> Annotated[CallToolResult, TrendingAnswer]:
        """The papers trending over the last `window` days, ranked by Hugging Face
        upvotes, local upvotes and the GitHub star gain of their official repository, with
        an age decay (docs/ranking.md), each with why it is there (e.g. "HF 55 · ★ +340
        this week · here 2").
        When the window ending today has no upvoted paper, the ranking is of the window
        ending on the newest day with upvotes, and `as_of` names that day."""
        with _tool_errors():
            found = tools.trending(window=window, limit=limit, has_code=has_code)
        return _answer(found, text.trending_text(found))

    @server.tool(title="Papers of a day", annotations=READ_ONLY)
    def daily(
        date: Annotated[
            Day | None, Field(description="The announcement day; default: the newest day")
        ] = None,
        sort: Annotated[
            Literal["newest", "votes"],
            Field(description="newest first (the site's default) or most upvoted first"),
        ] = "newest",
        category: Category | None = None,
        limit: Annotated[int, Field(ge=1, le=MAX_DAILY, description="Papers per page")] = 50,
        page: Annotated[int, Field(ge=1, le=10_000, description="Page, from 1")] = 1,
        has_code: HasCode = False,
    ) -> Annotated[CallToolResult, DailyAnswer]:
        """The papers arXiv announced on one day, as the site's day page lists them (the
        editors' picks first, then the day's papers), with the neighbouring days that
        have papers."""
        with _tool_errors():
            found = tools.daily(
                date=date, sort=sort, category=category, limit=limit, page=page, has_code=has_code
            )
        return _answer(found, text.daily_text(found))

    @server.tool(title="Similar papers", annotations=READ_ONLY)
    def similar_papers(
        arxiv_id: ArxivId,
        limit: Annotated[int, Field(ge=1, le=MAX_SIMILAR, description="Papers to return")] = 10,
    ) -> Annotated[CallToolResult, SimilarAnswer]:
        """Papers like the given one (the paper page's "similar papers"): embedding
        neighbours fused with keyword query-by-example, copies of the paper left out.
        `basis` says when only keywords were used (no embedding yet)."""
        with _tool_errors():
            found = tools.similar_papers(arxiv_id, limit=limit)
        return _answer(found, text.similar_text(found))

    return server


def serve_stdio(settings: Settings, store: Store) -> None:
    """Answer MCP requests on stdin/stdout until the client closes stdin."""
    tools = PaperTools(settings, store, SearchService(settings, store))
    anyio.run(build_server(tools).run_stdio_async)
