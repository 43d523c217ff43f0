"""Shared fixtures: throwaway databases (SQLite always, PostgreSQL when available),
settings, the app in-process, and paths to the shared data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import SMALL_PAPERS

POSTGRES_ENV = "PAPERBOY_TEST_POSTGRES_URL"
POSTGRES_SKIP = (
    f"PostgreSQL not available: set {POSTGRES_ENV} to a server URL "
    "(scripts/test.sh starts the machine's PostgreSQL 15 and sets it)"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'paperboy.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(POSTGRES_SKIP)
    name = f"paperboy_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    s = Store.open(sqlite_url)
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, base_url="http://testserver")


@pytest.fixture
def loaded_store(sqlite_store: Store) -> Store:
    """A SQLite store holding the 37 fixture papers (three listing days)."""
    report = ingest_jsonl(sqlite_store, SMALL_PAPERS)
    assert report.added == 37
    return sqlite_store


@pytest.fixture
def client(settings: Settings, loaded_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, loaded_store)) as c:
        yield c


@pytest.fixture
def empty_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, sqlite_store)) as c:
        yield c
