"""The JSON API under /api (documented at /api/docs)."""

# Modules import in route order: /api/papers/{id}/... before the catch-all paper route.
# ruff: noqa: I001
from paperboy.web.api.papers.common import ERRORS, MAX_TRENDING_PAGE, WRITE_ERRORS, router
from paperboy.web.api.papers.listing import feed, trending, search
from paperboy.web.api.papers.community import vote, submit, _comment_out, paper_comments
from paperboy.web.api.papers.paper import similar, paper, HealthOut, health

__all__ = [
    "ERRORS",
    "MAX_TRENDING_PAGE",
    "WRITE_ERRORS",
    "HealthOut",
    "_comment_out",
    "feed",
    "health",
    "paper",
    "paper_comments",
    "router",
    "search",
    "similar",
    "submit",
    "trending",
    "vote",
]
