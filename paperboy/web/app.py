"""The FastAPI application: routers, one error handler, security middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy import __version__
from paperboy.config import Settings
from paperboy.digest.scheduler import DigestScheduler
from paperboy.errors import PaperboyError
from paperboy.search.indexer import BackgroundIndexer
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import (
    account_views,
    api,
    api_tokens,
    comments,
    feeds,
    foryou,
    hf_api,
    library,
    library_api,
    library_io,
    moderation,
    private_feed,
    submissions,
    subscribe,
    views,
    votes,
)
from paperboy.web.api_docs import docs_page, document_api
from paperboy.web.auth import SESSION_COOKIE, csrf_protect
from paperboy.web.ratelimit import RateLimitMiddleware, limiter_for
from paperboy.web.rendering import render

log = logging.getLogger("paperboy.web")
STATIC_DIR = Path(__file__).parent / "static"
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    *COMMON_HEADERS,
]
# The interactive API docs (Swagger UI, vendored in static/swagger: no CDN) start with an
# inline script, so that one page allows inline code.
DOCS_PATH = "/api/docs"
DOCS_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
    ),
    *COMMON_HEADERS,
]


class BodyLimitAndHeaders:
    """Refuse request bodies over the limit (413) and add security headers."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await error_response(413, "Payload too large", "request body is too large")(
                scope, receive, send
            )
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise PayloadTooLargeSignal
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = DOCS_HEADERS if scope["path"] == DOCS_PATH else SECURITY_HEADERS
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except PayloadTooLargeSignal:
            await error_response(413, "Payload too large", "request body is too large")(
                scope, receive, send
            )


class PayloadTooLargeSignal(Exception):
    pass


def error_response(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"status": status, "title": title, "detail": detail}}, status_code=status
    )


def _wants_html(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML unless the client asks only for JSON."""
    if request.url.path.startswith("/api"):
        return False
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


async def _error(request: Request, status: int, title: str, detail: str) -> Response:
    if _wants_html(request):
        # The page header names the signed-in reader, a database lookup: render in a
        # worker thread, as sync routes do, so a slow database never stalls the loop.
        return await run_in_threadpool(
            render,
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )
    return error_response(status, title, detail)


def create_app(settings: Settings, store: Store, search: SearchService | None = None) -> FastAPI:
    search_service = search or SearchService(settings, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        indexer = None
        if settings.background_indexing:
            indexer = BackgroundIndexer(search_service, settings.index_interval)
            indexer.start()
        scheduler = None
        if settings.digest_scheduler:
            scheduler = DigestScheduler(store, settings)
            scheduler.start()
        yield
        if scheduler is not None:
            scheduler.stop()
        if indexer is not None:
            indexer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="paperboy",
        version=__version__,
        description="Research-paper discovery: the daily arXiv feed and papers. Every error "
        'has the shape `{"error": {"status", "title", "detail"}}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Every POST/PUT/PATCH/DELETE route needs the session's CSRF token (403 without).
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.search = search_service

    @app.exception_handler(PaperboyError)
    async def paperboy_error(request: Request, exc: PaperboyError) -> Response:
        response = await _error(request, exc.status, exc.title, exc.detail)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return await _error(request, 422, "Invalid input", "; ".join(parts) or "invalid input")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
        detail = "no such page" if exc.status_code == 404 else str(exc.detail)
        return await _error(request, exc.status_code, titles.get(exc.status_code, "Error"), detail)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return await _error(request, 500, "Internal error", "something went wrong on our side")

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return docs_page("/api/openapi.json")

    app.include_router(api.router)
    app.include_router(views.router)
    app.include_router(account_views.router)
    app.include_router(votes.router)
    app.include_router(comments.router)
    app.include_router(submissions.router)
    app.include_router(moderation.router)
    app.include_router(foryou.router)
    app.include_router(foryou.api_router)
    app.include_router(hf_api.router)
    app.include_router(api_tokens.router)
    app.include_router(subscribe.router)
    app.include_router(feeds.router)
    app.include_router(private_feed.router)
    app.include_router(library_api.router)
    app.include_router(library_io.router)
    app.include_router(library.router)
    document_api(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_days * 24 * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    limiter = limiter_for(settings)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter, store=store)
    app.add_middleware(BodyLimitAndHeaders, max_body=settings.max_body_bytes)
    return app
