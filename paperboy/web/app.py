"""The FastAPI application: routers, one error handler, security middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from paperboy import __version__
from paperboy.config import Settings, load_settings
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.jobs import BackgroundWork, role_of
from paperboy.logs import configure_logging
from paperboy.maps.builder import MapBuilder
from paperboy.metrics import forget_dead_processes, forget_this_process
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web.api import authors as api_authors
from paperboy.web.api import docs as api_docs
from paperboy.web.api import following as api_following
from paperboy.web.api import foryou as api_foryou
from paperboy.web.api import hf as api_hf
from paperboy.web.api import library as api_library
from paperboy.web.api import maps as api_maps
from paperboy.web.api import papers as api_papers
from paperboy.web.auth import SESSION_COOKIE, csrf_protect
from paperboy.web.errors import install_error_handlers
from paperboy.web.feeds import authors as author_feeds
from paperboy.web.feeds import following as following_feeds
from paperboy.web.feeds import private as private_feed
from paperboy.web.feeds import public as public_feeds
from paperboy.web.middleware import DOCS_PATH, BodyLimitAndHeaders
from paperboy.web.operations import router as operations_router
from paperboy.web.page_cache import AnonymousPageCache
from paperboy.web.pages import (
    account,
    comments,
    foryou,
    library,
    library_forms,
    library_io,
    maps,
    moderation,
    paper_markdown,
    papers,
    submissions,
    subscribe,
    tokens,
    votes,
)
from paperboy.web.pages import authors as author_pages
from paperboy.web.pages import following as following_pages
from paperboy.web.ratelimit import RateLimitMiddleware, limiter_for
from paperboy.web.rendering import env as templates
from paperboy.web.request_metrics import RequestMetrics
from paperboy.web.search_gate import SearchGate
from paperboy.web.shared_pages import SharedPages
from paperboy.web.template_globals import register_template_globals

log = logging.getLogger("paperboy.web")
STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings, store: Store, search: SearchService | None = None) -> FastAPI:
    search_service = search or SearchService(settings, store)
    # The app builds the maps its requests need; refreshing the recent periods is a
    # scheduled job of the job table (a worker's, or this process's with jobs on).
    map_builder = MapBuilder(store, settings.model_copy(update={"map_refresh_minutes": 0}))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        forget_dead_processes()  # live-only metrics of processes killed before they could
        work = BackgroundWork(role_of(settings), settings, store, search_service)
        work.start()
        if settings.jobs:
            map_builder.start()  # else it starts with the first map too large for a request
        yield
        map_builder.stop()
        work.stop()
        forget_this_process()

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
    app.state.search_gate = SearchGate(settings.search_concurrency, settings.search_wait_seconds)
    app.state.arxiv = InteractiveArxiv(settings)
    app.state.maps = map_builder

    install_error_handlers(app)
    register_template_globals(templates)

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return api_docs.docs_page("/api/openapi.json")

    # Pages first, then the JSON API, then the feeds. Order matters only where a path
    # would also match a route with a catch-all id (marked below).
    for router in (
        paper_markdown.router,  # before papers: /paper/{id}.md is not an id
        papers.router,
        account.router,
        votes.router,
        comments.router,
        submissions.router,
        moderation.router,
        foryou.router,
        tokens.router,
        subscribe.router,
        library_io.router,
        library.router,
        library_forms.router,
        maps.router,
        api_hf.router,  # before api_papers: /api/papers/search is not a paper id
        api_papers.router,
        api_foryou.router,
        api_library.router,
        api_maps.router,
        public_feeds.router,
        private_feed.router,
        operations_router,
        author_pages.router,
        api_authors.router,
        author_feeds.router,
        following_pages.router,
        api_following.router,
        following_feeds.router,
    ):
        app.include_router(router)
    api_docs.document_api(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_days * 24 * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    if settings.page_cache_seconds > 0:
        # Outside the session (a hit needs none), inside the rate limiter and body limit.
        app.add_middleware(
            AnonymousPageCache,
            store=store,
            seconds=settings.page_cache_seconds,
            max_bytes=settings.page_cache_mb * 1024 * 1024,
            session_cookie=SESSION_COOKIE,
            proxy_seconds=settings.page_cache_proxy_seconds,
            check_seconds=settings.page_cache_check_ms / 1000,
            generation=search_service.generation,
            shared=SharedPages(
                settings.data_dir / "page-cache",
                settings.page_cache_seconds,
                # A file per page the box rendered lately: room for several caches' worth.
                max_bytes=8 * settings.page_cache_mb * 1024 * 1024,
            )
            if settings.page_cache_shared
            else None,
        )
    limiter = limiter_for(settings)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter, store=store)
    app.add_middleware(BodyLimitAndHeaders, max_body=settings.max_body_bytes)
    # Outermost: counts every answer, those of the middleware above included.
    app.add_middleware(RequestMetrics, routes=app.router.routes)
    return app


def create_app_from_env() -> FastAPI:
    """The app of one process of `paperboy serve --workers N`: settings from the
    environment (as the command read them), its own store (connection pool)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings, Store.open(settings.resolved_database_url))
