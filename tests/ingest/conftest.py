"""Fixtures of the source tests (OAI-PMH, arXiv API, Hugging Face): a real local HTTP
server, settings pointing at it and a throwaway SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paperboy.config import Settings
from paperboy.store import Store
from tests.ingest.source_server import LocalServer

INTERVAL = 0.3  # seconds between requests in these tests (the default is 3.0)


@pytest.fixture
def source_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def arxiv_stand_in(server: LocalServer) -> dict[str, Any]:
    """Settings that send paperboy's arXiv API client to the local stand-in, without
    the polite waits and retries a real arXiv gets."""
    return {
        "arxiv_api_url": f"{server.url}/api/query",
        "request_interval": INTERVAL,
        "request_timeout": 5.0,
        "max_retries": 0,
    }


@pytest.fixture
def source_settings(tmp_path: Path, source_server: LocalServer) -> Settings:
    return Settings(
        data_dir=tmp_path,
        request_interval=INTERVAL,
        request_timeout=5.0,
        max_retries=2,
        arxiv_oai_url=f"{source_server.url}/oai2",
        arxiv_api_url=f"{source_server.url}/api/query",
        hf_daily_papers_url=f"{source_server.url}/api/daily_papers",
    )


@pytest.fixture
def source_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path}/t.db")
    try:
        yield store
    finally:
        store.close()
