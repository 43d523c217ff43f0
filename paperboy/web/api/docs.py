"""OpenAPI documentation of the JSON API beyond what the routes declare themselves.

``document_api(app)`` wraps the app's schema generation once, so every /api operation,
whichever module defines it, gets:

* the 429 answer of the rate limiter (with ``Retry-After``) and the ``X-RateLimit-*``
  headers on its success answer (``/api/health`` is not limited);
* an example for each documented error (the one error shape);
* an example ``arxiv_id`` for path parameters of that name;
* an example success body where one is listed in ``SUCCESS_EXAMPLES``;
* one tag, the most specific: Swagger UI lists an operation once under each of its tags,
  and the routers' own tags ("papers") came on top of the routes' ("community").

``docs_page()`` is the Swagger UI page itself, with a link back to the site.

Success examples are built through the response models (``model_validate``), so an
example that drifts from its model fails at import, not silently in the docs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from paperboy import __version__
from paperboy.web.api.hf import EXAMPLE_RECORD, HfDailyPaper
from paperboy.web.api.schemas import (
    CommentsOut,
    FeedOut,
    PaperOut,
    SearchOut,
    SimilarOut,
    TrendingOut,
    VoteOut,
)
from paperboy.web.ratelimit import EXEMPT_PATHS

ERROR_TITLES = {
    400: ("Bad request", "There was an error parsing the body"),
    401: ("Unauthorized", "unknown or revoked API token (create a new one on your profile page)"),
    403: ("Forbidden", "sign in to vote"),
    404: ("Not found", "no paper with id 2501.00000"),
    409: ("Conflict", "That paper is already on paperboy."),
    413: ("Payload too large", "request body is too large"),
    422: ("Invalid input", "limit: Input should be less than or equal to 500"),
    429: (
        "Too many requests",
        "over the API read limit of 120 requests per 60 seconds; retry after 1 s",
    ),
    502: (
        "Source error",
        "arXiv could not be reached or answered garbage; please try again later.",
    ),
    503: ("Service unavailable", "arXiv is busy right now; please try again in a little while."),
}
RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed per window in this budget (reads or writes)",
    "X-RateLimit-Remaining": "Requests left in the budget now",
    "X-RateLimit-Reset": "Seconds until the budget is full again",
}
ARXIV_ID_EXAMPLE = "2606.28374"

_CODE: list[dict[str, Any]] = [
    {
        "kind": "github",
        "url": "https://github.com/example-lab/self-evolving-agents",
        "name": "example-lab/self-evolving-agents",
        "official": True,
        "source": "abstract",
        "stars": 1234,
        "stars_gained": 210,
        "stars_gained_since": "2026-06-23",
        "pushed_at": "2026-06-29T17:02:11",
        "archived": False,
        "license": "MIT",
        "full_name": "example-lab/self-evolving-agents",
        "gone": False,
    },
    {
        "kind": "project",
        "url": "https://example-lab.github.io/self-evolving-agents",
        "name": None,
        "official": False,
        "source": "comment",
        "stars": None,
        "stars_gained": None,
        "stars_gained_since": None,
        "pushed_at": None,
        "archived": None,
        "license": None,
        "full_name": None,
        "gone": False,
    },
]
_PAPER: dict[str, Any] = {
    "id": "2606.28374",
    "version": 1,
    "title": "Recursive Self-Evolving Agents via Held-Out Selection",
    "abstract": "LLM agents are increasingly improved without weight updates by evolving a "
    "natural-language artifact ...",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "categories": ["cs.AI", "cs.CL"],
    "primary_category": "cs.AI",
    "submitted": "2026-06-29T17:59:59",
    "updated": None,
    "announced": "2026-06-30",
    "comment": "24 pages, 6 figures",
    "journal_ref": None,
    "doi": None,
    "license": "http://creativecommons.org/licenses/by/4.0/",
    "upvotes": 12,
    "upvotes_by_source": {"hf": 10, "here": 2},
    "url": "https://paperboy.example.org/paper/2606.28374",
    "links": {
        "abs": "https://arxiv.org/abs/2606.28374",
        "pdf": "https://arxiv.org/pdf/2606.28374v1",
        "doi": None,
        "huggingface": None,
        "project": None,
    },
    "hf": None,
    "paper": None,
}
_RESULT: dict[str, Any] = {
    "id": "2606.28374",
    "title": _PAPER["title"],
    "score": 0.032787,
    "authors": _PAPER["authors"],
    "categories": _PAPER["categories"],
    "announced": "2026-06-30",
    "snippet": "... a natural-language artifact, such as reflections ...",
    "snippet_html": "... a natural-language artifact, such as <mark>reflections</mark> ...",
    "upvotes": 12,
    "url": _PAPER["url"],
}


def _checked(model: type[BaseModel], example: Any) -> Any:
    """The example, after its model accepted it."""
    model.model_validate(example)
    return example


SUCCESS_EXAMPLES: dict[tuple[str, str], Any] = {
    ("get", "/api/feed"): _checked(
        FeedOut,
        {
            "view": "day",
            "start": "2026-06-30",
            "end": "2026-06-30",
            "category": None,
            "total": 13,
            "page": 1,
            "pages": 7,
            "next_page": 2,
            "prev": "2026-06-29",
            "next": None,
            "categories": [{"category": "cs.AI", "count": 5}, {"category": "cs.CL", "count": 4}],
            "sort": "newest",
            "papers": [_PAPER],
        },
    ),
    ("get", "/api/trending"): _checked(
        TrendingOut,
        {
            "window": 7,
            "as_of": None,
            "gravity": 1.5,
            "offset_hours": 2.0,
            "page": 1,
            "next_page": 2,
            "papers": [
                {
                    **_PAPER,
                    "score": 0.0123,
                    "why": {"hf": _PAPER["upvotes"], "here": 0, "text": f"HF {_PAPER['upvotes']}"},
                }
            ],
        },
    ),
    ("get", "/api/search"): _checked(
        SearchOut,
        {
            "query": "self-evolving agents",
            "mode": "hybrid",
            "sort": "relevance",
            "total": 23,
            "matches": None,
            "total_text": "23 results",
            "embedded": None,
            "papers": None,
            "warmup_notice": None,
            "page": 1,
            "pages": 2,
            "next_page": 2,
            "exact": False,
            "notice": None,
            "results": [_RESULT],
        },
    ),
    ("get", "/api/papers/{arxiv_id}"): _checked(
        PaperOut,
        {
            **_PAPER,
            "code": _CODE,
            "hf": {
                "url": "https://huggingface.co/papers/2606.28374",
                "upvotes": 10,
                "comments": 1,
                "submitter": "akhaliq",
                "submitter_name": "AK",
                "featured_on": "2026-07-01",
                "github_repo": None,
                "project_page": None,
                "ai_summary": None,
                "ai_keywords": [],
                "synced_at": "2026-07-01T09:00:00",
            },
            "paper": {
                **EXAMPLE_RECORD["paper"],
                "id": "2606.28374",
                "title": _PAPER["title"],
                "summary": _PAPER["abstract"],
                "authors": [
                    {"_id": "9c0f6a1e2b3d4c5e6f708192", "name": name, "hidden": False}
                    for name in _PAPER["authors"]
                ],
                "publishedAt": "2026-06-29T17:59:59.000Z",
                "submittedOnDailyAt": "2026-06-30T00:00:00.000Z",
                "upvotes": 12,
            },
        },
    ),
    ("get", "/api/papers/{arxiv_id}/similar"): _checked(
        SimilarOut, {"id": "2606.28729", "results": [_RESULT]}
    ),
    ("get", "/api/papers/{arxiv_id}/comments"): _checked(
        CommentsOut,
        {
            "id": "2606.28374",
            "count": 2,
            "comments": [
                {
                    "id": 12,
                    "author": "Ada L",
                    "created_at": "2026-06-30T09:12:44",
                    "edited_at": None,
                    "deleted": False,
                    "hidden": False,
                    "html": "<p>Is the held-out split <em>per task</em>?</p>",
                    "markdown": "Is the held-out split *per task*?",
                    "replies": [
                        {
                            "id": 13,
                            "author": "Alan T",
                            "created_at": "2026-06-30T10:02:05",
                            "edited_at": None,
                            "deleted": False,
                            "hidden": False,
                            "html": "<p>Yes, see section 4.</p>",
                            "markdown": "Yes, see section 4.",
                            "replies": [],
                        }
                    ],
                }
            ],
        },
    ),
    ("post", "/api/papers/{arxiv_id}/vote"): _checked(
        VoteOut, {"id": "2606.28374", "upvotes": 13, "voted": True}
    ),
    ("post", "/api/submissions"): _checked(
        PaperOut, {**_PAPER, "upvotes": 0, "upvotes_by_source": {"hf": 0, "here": 0}}
    ),
    ("get", "/api/daily_papers"): [_checked(HfDailyPaper, EXAMPLE_RECORD)],
    ("get", "/api/health"): {"status": "ok", "papers": 74728, "latest_day": "2026-06-30"},
}


def _error_example(status: int) -> dict[str, Any]:
    title, detail = ERROR_TITLES.get(status, ("Error", "see the status code"))
    return {"error": {"status": status, "title": title, "detail": detail}}


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    tags = operation.get("tags") or []
    if len(tags) > 1:
        operation["tags"] = [tags[-1]]
    responses: dict[str, Any] = operation.setdefault("responses", {})
    limited = path not in EXEMPT_PATHS
    if "requestBody" in operation and "400" not in responses:
        responses["400"] = {
            "description": "The body is not valid JSON",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
    if limited and "429" not in responses:
        responses["429"] = {
            "description": "Over the rate limit; retry after `Retry-After` seconds",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
    for code, response in responses.items():
        status = int(code) if code.isdigit() else 0
        content = response.get("content", {}).get("application/json")
        if status >= 400 and content is not None:
            content.setdefault("example", _error_example(status))
        if status == 429:
            response.setdefault("headers", {})["Retry-After"] = {
                "description": "Seconds to wait before the next request",
                "schema": {"type": "integer", "minimum": 1},
            }
        if limited and 200 <= status < 300:
            headers = response.setdefault("headers", {})
            for name, description in RATE_HEADERS.items():
                headers.setdefault(
                    name, {"description": description, "schema": {"type": "integer"}}
                )
        if 200 <= status < 300 and content is not None:
            example = SUCCESS_EXAMPLES.get((method, path))
            if example is not None:
                content.setdefault("example", example)
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "arxiv_id" and parameter.get("in") == "path":
            parameter.setdefault("example", ARXIV_ID_EXAMPLE)
            parameter.setdefault(
                "description", "arXiv id, with or without version (`2503.11731v2`), or old-style"
            )


def document_api(app: FastAPI) -> None:
    """Make ``app.openapi()`` add the documentation above to the generated schema."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for method, operation in operations.items():
                _document_operation(path, method, operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# Above Swagger UI's own header: the way back to the site (the page allows inline styles).
BACK_LINK = (
    '<nav style="font: 15px system-ui, sans-serif; padding: 10px 20px; '
    'border-bottom: 1px solid #ddd">'
    '<a href="/" style="color: #1a56a8">&larr; Back to paperboy</a>'
    ' &middot; <a href="/api/openapi.json" style="color: #1a56a8">openapi.json</a>'
    " &middot; the API guide is docs/api.md</nav>"
)


def docs_page(openapi_url: str) -> HTMLResponse:
    """The interactive API documentation (Swagger UI, vendored: no CDN)."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title="paperboy API",
        swagger_js_url=f"/static/swagger/swagger-ui-bundle.js?v={__version__}",
        swagger_css_url=f"/static/swagger/swagger-ui.css?v={__version__}",
        swagger_favicon_url="/static/favicon.svg",
    )
    html = bytes(page.body).decode().replace("<body>", "<body>\n" + BACK_LINK, 1)
    return HTMLResponse(html)
