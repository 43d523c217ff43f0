"""Request-scoped access to the application's settings and store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from paperboy.arxiv import parse_arxiv_id
from paperboy.config import Settings
from paperboy.errors import NotFound
from paperboy.search.service import SearchService
from paperboy.store import Store, StoredPaper


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_search(request: Request) -> SearchService:
    search: SearchService = request.app.state.search
    return search


StoreDep = Annotated[Store, Depends(get_store)]
SearchDep = Annotated[SearchService, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


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
