"""Shared fixtures: throwaway databases (SQLite always, PostgreSQL when available),
settings, the app in-process, and paths to the shared data."""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from paperboy.config import Settings
from paperboy.ingest.demo import load_demo
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.logs import StderrHandler
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import SHARED_MODEL_ENV, SMALL_PAPERS

POSTGRES_ENV = "PAPERBOY_TEST_POSTGRES_URL"
POSTGRES_SKIP = (
    f"PostgreSQL not available: set {POSTGRES_ENV} to a server URL "
    "(scripts/test.sh starts the machine's PostgreSQL 15 and sets it)"
)

# The test SMTP server (aiosmtpd) logs each connection from its own thread, often after
# the test that used it has ended: with a handler of its own, such a line goes nowhere
# rather than to logging's last-resort stderr; during a test it still reaches pytest's
# captured log through the root logger.
logging.getLogger("mail.log").addHandler(logging.NullHandler())


@pytest.fixture(autouse=True)
def _logging_ends_with_the_test() -> Iterator[None]:
    """Commands run in-process (CliRunner) set up paperboy's logging: a root handler on
    whatever sys.stderr is. Left in place, lines that server threads log between tests
    would land in pytest's progress output; so each test ends with it removed."""
    root = logging.getLogger()
    level = root.level
    yield
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, StderrHandler)]
    root.setLevel(level)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'paperboy.db'}"


@contextmanager
def fresh_database(server: str, template: str | None = None) -> Iterator[tuple[str, str]]:
    """(name, URL) of a new database on ``server``, empty or a copy of ``template``,
    dropped afterwards."""
    name = f"paperboy_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield name, make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop_database(admin, name)
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A database migrated once per test process: each PostgreSQL test database is a
    copy of it (CREATE DATABASE ... TEMPLATE, 40 ms) instead of a migration of its own
    (about 0.3 s, and some 130 tests ask for one). None without a server."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        yield None
        return
    with fresh_database(server) as (name, url):
        Store.open(url).close()
        yield name


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, postgres_template: str | None) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards: migrated (a copy of
    the template), or empty for a test marked ``empty_database``."""
    server = os.environ.get(POSTGRES_ENV)
    if not server or postgres_template is None:
        pytest.skip(POSTGRES_SKIP)
    empty = request.node.get_closest_marker("empty_database") is not None
    with fresh_database(server, None if empty else postgres_template) as (_, url):
        yield url


def _drop_database(admin: Engine, name: str) -> None:
    """FORCE ends the test's own leftover connections; it refuses when one of them belongs
    to a process the test role may not signal (an autovacuum worker on the fresh database,
    without pg_signal_backend). A plain DROP waits for autovacuum to yield, so retry so."""
    for attempt in range(20):
        force = " WITH (FORCE)" if attempt % 2 == 0 else ""
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.25)


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


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the exported embedding model, shared by the whole session
    (exporting takes seconds; every test that embeds reuses it). A pytest run started by
    a test gets its parent's folder through SHARED_MODEL_ENV."""
    shared = os.environ.get(SHARED_MODEL_ENV)
    return Path(shared) if shared else tmp_path_factory.mktemp("models")


@pytest.fixture
def settings(tmp_path: Path, model_dir: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        base_url="http://testserver",
        model_dir=model_dir,
        background_indexing=False,
        digest_scheduler=False,
        # Tests write through the store (another process, in effect) and read the page
        # at once; the check window itself is tested in tests/web/test_page_cache.py.
        page_cache_check_ms=0,
    )


@pytest.fixture(scope="session")
def prepared_data_dir(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    """A data folder with the 37 fixture papers, their keyword index and embeddings,
    made once; each test gets a copy (see loaded_store)."""
    folder = tmp_path_factory.mktemp("prepared")
    settings = Settings(data_dir=folder, model_dir=model_dir, background_indexing=False)
    store = Store.open(settings.resolved_database_url)
    assert ingest_jsonl(store, SMALL_PAPERS).added == 37
    SearchService(settings, store).update(embed=True)
    store.close()
    return folder


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the bundled demo set, loaded once (5 s); see demo_store."""
    path = tmp_path_factory.mktemp("demo") / "paperboy.db"
    store = Store.open(f"sqlite:///{path}")
    load_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_store(sqlite_url: str, demo_database: Path) -> Iterator[Store]:
    """What ``sqlite_store`` holds after ``load_demo``: a copy of the demo database."""
    shutil.copyfile(demo_database, make_url(sqlite_url).database or "")
    store = Store.open(sqlite_url)
    yield store
    store.close()


@pytest.fixture
def loaded_store(settings: Settings, prepared_data_dir: Path) -> Iterator[Store]:
    """A SQLite store holding the 37 fixture papers (three listing days), indexed."""
    shutil.copytree(prepared_data_dir, settings.data_dir, dirs_exist_ok=True)
    store = Store.open(settings.resolved_database_url)
    yield store
    store.close()


@pytest.fixture
def search_service(settings: Settings, loaded_store: Store) -> SearchService:
    """Search over the fixture papers, keyword index and embeddings up to date."""
    service = SearchService(settings, loaded_store)
    service.update(embed=True)
    return service


@pytest.fixture
def client(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, loaded_store, search_service)) as c:
        yield c


@pytest.fixture
def empty_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, sqlite_store)) as c:
        yield c
