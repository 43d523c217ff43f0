"""Engine creation, schema migrations, and the few statements that differ by database.

The only module of paperboy that knows dialect details: the rest of ``store/`` writes
portable SQLAlchemy Core and calls the helpers here where SQLite and PostgreSQL differ."""

from __future__ import annotations

import fcntl
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Select, Table, create_engine, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from paperboy.errors import ConfigError

# What the database driver raises; the CLI reports it as "database error: ...".
DatabaseError = SQLAlchemyError
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Key of the PostgreSQL advisory lock that serialises migrations (any fixed 64-bit number;
# this one spells "paperbo").
MIGRATION_LOCK_KEY = 0x7061706572626F


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL mode so readers never block the ingest writer."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database URL {url!r} is not valid: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _cannot_open(path, exc.strerror or str(exc)) from None
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            # Open it now, so a folder that cannot hold it fails here with its path
            # rather than later as SQLite's "unable to open database file".
            try:
                engine.connect().close()
            except OperationalError as exc:
                engine.dispose()
                raise _cannot_open(path, str(exc.orig or exc)) from None
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise ConfigError(
        f"database {parsed.get_backend_name()!r} is not supported; use sqlite or postgresql"
    )


def _sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).absolute()


def _cannot_open(path: Path, reason: str) -> ConfigError:
    return ConfigError(
        f"cannot open database at {path}: {reason} (check that the data folder "
        "exists, is a folder and is writable by this user)"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _enable_wal(cursor)
    # NORMAL is durable across process crashes in WAL mode (only power loss can drop
    # the last transactions), and several times faster than FULL for bulk ingest.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch a new database file to WAL. The switch needs the file to itself and SQLite
    answers "database is locked" at once, without its busy timeout, while another process
    opens the same new file (two first starts at one moment): so wait and retry here."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default; idempotent).

    On SQLite, migrations that alter a table copy it to a new one and drop the old;
    with foreign keys enforced, that drop would cascade and delete every row that
    points at the table (embeddings, votes, comments…). So foreign keys are off while
    migrating (the pragma only works outside a transaction) and checked afterwards.

    Migrations are serialised across processes (two first starts on an empty data folder
    would otherwise both create the tables): by a file lock beside the SQLite file, and by
    an advisory lock on PostgreSQL."""
    with _migration_lock(engine):
        _upgrade(engine, revision)


@contextmanager
def _sqlite_file_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".migrate.lock")
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 (held open while locked)
    except OSError as exc:
        raise _cannot_open(path, f"cannot create {lock_path}: {exc.strerror}") from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _postgres_advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if is_sqlite(engine):
        path = _sqlite_path(engine.url)
        if path is None:  # in memory: no other process can see it
            yield
            return
        with _sqlite_file_lock(path):
            yield
    else:
        with _postgres_advisory_lock(engine):
            yield


def _upgrade(engine: Engine, revision: str) -> None:
    cfg = _alembic_config()
    with engine.connect() as connection:
        sqlite = is_sqlite(engine)
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # ends SQLAlchemy's autobegun (empty) transaction
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise ConfigError(
                            f"migration left {len(broken)} rows with broken references; "
                            "nothing was changed"
                        )
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def schema_is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def insert_ignoring_duplicates(engine: Engine, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for ``table`` in the engine's dialect (rows
    that would break a unique constraint are skipped, the others go in)."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def insert_plain_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` of many rows of integers and text (no defaults, no conversions: the
    values go to the database as they are). On SQLite the rows are handed to the
    driver's ``executemany`` directly: SQLAlchemy's per-row parameter processing was
    a tenth of a bulk ingest's writer time (benchmarks/ingest_speed.py); elsewhere the
    ordinary executemany."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    order = compiled.positiontup or []
    conn.exec_driver_sql(str(compiled), [tuple(row[c] for c in order) for row in rows])


def skip_locked_rows(engine: Engine, stmt: Select[Any]) -> Select[Any]:
    """``stmt`` as a claim of its rows: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` (rows
    another transaction is claiming are passed over, not waited for); unchanged on
    SQLite, where the single writer and the caller's compare-and-set UPDATE suffice."""
    if engine.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def masked_url(url: str) -> str:
    """The database URL with its password hidden, for logs and ``config show``."""
    return make_url(url).render_as_string(hide_password=True)
