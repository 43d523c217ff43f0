"""The OpenAPI document's finishing touches (error responses, rate-limit headers,
examples on every operation) and the Swagger page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from paperboy import __version__
from paperboy.web.api.docs.examples import ARXIV_ID_EXAMPLE, SUCCESS_EXAMPLES
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
