"""Request-scoped dependencies: the application's settings, store and search, and the
guards every route uses instead of checking for a user itself.

- ``CurrentUser``: the signed-in reader or None (public pages that change for readers).
- ``CurrentReader``: a signed-in reader, else ``SignInRequired``: one handler turns it
  into a 303 to ``/signin?next=...`` for pages and a 401 for ``/api``.
- ``Curator`` / ``Admin``: a signed-in reader with that role, else 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials

from paperboy.accounts import safe_next
from paperboy.arxiv import parse_arxiv_id
from paperboy.config import Settings
from paperboy.errors import Forbidden, NotFound, SignInRequired
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.search.service import SearchService
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.web.auth import CurrentUser, api_token_scheme, get_current_user

__all__ = [
    "Admin",
    "ArxivDep",
    "Curator",
    "CurrentReader",
    "CurrentUser",
    "SearchDep",
    "SettingsDep",
    "StoreDep",
    "find_paper",
    "return_path",
]


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_search(request: Request) -> SearchService:
    search: SearchService = request.app.state.search
    return search


def get_arxiv(request: Request) -> InteractiveArxiv:
    """The app's arXiv client for web requests (bounded, never waits for arXiv)."""
    arxiv: InteractiveArxiv = request.app.state.arxiv
    return arxiv


StoreDep = Annotated[Store, Depends(get_store)]
ArxivDep = Annotated[InteractiveArxiv, Depends(get_arxiv)]
SearchDep = Annotated[SearchService, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def return_path(request: Request) -> str:
    """Where to come back to after signing in: this page for a GET; for a form POST its
    ``next`` field, else the page the form was on (its same-site Referer), else the
    front page."""
    if request.method in ("GET", "HEAD"):
        query = f"?{request.url.query}" if request.url.query else ""
        return safe_next(request.url.path + query)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        field = (await request.form()).get("next")  # parsed once, cached by Starlette
        if isinstance(field, str) and field.startswith("/"):
            return safe_next(field)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.headers.get("host", ""):
        return "/"
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else "")) or "/"


async def _reader(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(api_token_scheme)],
) -> StoredUser:
    # The lookup reads the database: in the threadpool, never on the event loop.
    user = await run_in_threadpool(get_current_user, request)
    if user is None:
        raise SignInRequired("sign in first", next_path=await return_path(request))
    return user


CurrentReader = Annotated[StoredUser, Depends(_reader)]


def require_role(role: str) -> Callable[..., StoredUser]:
    """A dependency that lets only signed-in readers with ``role`` (or admins) through."""

    def guard(user: CurrentReader) -> StoredUser:
        allowed = user.is_admin if role == "admin" else user.is_curator
        if not allowed:
            raise Forbidden(f"only {role}s can do this")
        return user

    return guard


Curator = Annotated[StoredUser, Depends(require_role("curator"))]
Admin = Annotated[StoredUser, Depends(require_role("admin"))]


def find_paper(store: Store, raw_id: str) -> StoredPaper:
    """The paper for an id as users write it (with a version, or as an arXiv URL)."""
    try:
        arxiv_id, _ = parse_arxiv_id(raw_id)
    except Exception:
        raise NotFound(f"no paper with id {raw_id[:80]!r}") from None
    paper = store.papers.get_paper(arxiv_id)
    if paper is None:
        raise NotFound(f"no paper with id {arxiv_id}")
    return paper
