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
from paperboy.config import Settings
from paperboy.digest.scheduler import DigestScheduler
from paperboy.ingest.github_scheduler import GithubSyncScheduler, github_job_enabled
from paperboy.ingest.hf_scheduler import HfSyncScheduler
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.maps.builder import MapBuilder
from paperboy.search.indexer import BackgroundIndexer
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web.api import docs as api_docs
from paperboy.web.api import foryou as api_foryou
from paperboy.web.api import hf as api_hf
from paperboy.web.api import library as api_library
from paperboy.web.api import maps as api_maps
from paperboy.web.api import papers as api_papers
from paperboy.web.auth import SESSION_COOKIE, csrf_protect
from paperboy.web.errors import install_error_handlers
from paperboy.web.feeds import private as private_feed
from paperboy.web.feeds import public as public_feeds
from paperboy.web.middleware import DOCS_PATH, BodyLimitAndHeaders
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
from paperboy.web.ratelimit import RateLimitMiddleware, limiter_for
from paperboy.web.rendering import env as templates
from paperboy.web.template_globals import register_template_globals

log = logging.getLogger("paperboy.web")
STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings, store: Store, search: SearchService | None = None) -> FastAPI:
    search_service = search or SearchService(settings, store)
    map_builder = MapBuilder(store, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        indexer = None
        if settings.background_indexing:
            indexer = BackgroundIndexer(
                search_service, settings.index_interval, embed=settings.background_embedding
            )
            indexer.start()
        scheduler = None
        if settings.digest_scheduler:
            scheduler = DigestScheduler(store, settings)
            scheduler.start()
        hf_sync = None
        if settings.hf_sync_minutes > 0:
            hf_sync = HfSyncScheduler(store, settings)
            hf_sync.start()
        github_job = None
        if github_job_enabled(settings):
            github_job = GithubSyncScheduler(store, settings)
            github_job.start()
        map_builder.start()
        yield
        map_builder.stop()
        if github_job is not None:
            github_job.stop()
        if hf_sync is not None:
            hf_sync.stop()
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
    limiter = limiter_for(settings)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter, store=store)
    app.add_middleware(BodyLimitAndHeaders, max_body=settings.max_body_bytes)
    return app
