"""Backups of the database, and putting one back.

Dialect-specific by nature, so kept apart from ``db.py``'s shared helpers:

- SQLite: SQLite's online backup API copies the whole database in one step, inside one
  read transaction, so the copy is the database as of one moment even while the site
  writes (WAL mode: the writers are not blocked). The copy is written beside its final
  name, switched to a rollback journal (one self-contained file), checked with
  ``PRAGMA integrity_check`` and renamed into place, so a failed backup leaves no file
  that looks like a good one.
- PostgreSQL: ``pg_dump``/``pg_restore`` in the custom format, run with the configured
  URL; the password goes in ``PGPASSWORD``, never on the command line (where ``ps`` shows
  it)."""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url

from paperboy.errors import ConfigError

# Tables every paperboy database has (a file without them is something else).
REQUIRED_TABLES = ("alembic_version", "papers")


@dataclass(frozen=True)
class SqliteFacts:
    papers: int
    revision: str | None


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another engine or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).absolute()


def backup_sqlite(source: Path, destination: Path) -> SqliteFacts:
    """Copy the live database ``source`` to the new file ``destination``, consistent
    as of one moment; returns what the copy holds."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    if not source.is_file():
        raise ConfigError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one moment
            dst.execute("PRAGMA journal_mode=DELETE")  # no -wal file to carry along
            facts = check_sqlite(dst)
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    _fsync(partial)
    os.replace(partial, destination)
    return facts


def check_sqlite(conn: sqlite3.Connection) -> SqliteFacts:
    """``PRAGMA integrity_check`` and paperboy's tables, else ConfigError saying why."""
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        tables = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"not a readable SQLite database: {exc}") from None
    if problems != ["ok"]:
        raise ConfigError("integrity check failed: " + "; ".join(problems[:5]))
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ConfigError(f"not a paperboy database (no table {', '.join(missing)})")
    papers = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return SqliteFacts(papers=papers, revision=str(row[0]) if row else None)


def check_sqlite_file(path: Path) -> SqliteFacts:
    if not path.is_file():
        raise ConfigError(f"no file at {path}")
    conn = sqlite3.connect(path)
    try:
        return check_sqlite(conn)
    finally:
        conn.close()


def sqlite_in_use(path: Path) -> bool:
    """Whether another process has the database open. In WAL mode every open connection
    holds a shared lock on the file (a server's pooled ones included), so an exclusive
    lock is refused at once while any is open."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        # Fold the write-ahead log into the file while nobody else can write, so the
        # file alone is the whole database.
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return False
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class PgCommand:
    """A pg_dump or pg_restore invocation: ``argv`` shows no password, ``env`` adds it."""

    argv: list[str]
    env: dict[str, str]

    def shown(self) -> str:
        """The command as a reader would type it (the password left to PGPASSWORD)."""
        words = [shlex.quote(word) for word in self.argv]
        prefix = "PGPASSWORD='...' " if "PGPASSWORD" in self.env else ""
        return prefix + " ".join(words)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it (no ``+psycopg`` driver part, no password) and the
    environment that carries the password."""
    parsed: URL = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    # URL.set() leaves a field alone when given None, so build it afresh.
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False), env


def pg_dump_command(url: str, destination: Path) -> PgCommand:
    target, env = _libpq(url)
    argv = ["pg_dump", "--format=custom", f"--file={destination}", f"--dbname={target}"]
    return PgCommand(argv, env)


def pg_restore_command(url: str, source: Path) -> PgCommand:
    target, env = _libpq(url)
    argv = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={target}",
        str(source),
    ]
    return PgCommand(argv, env)


def postgres_other_connections(engine: Engine) -> int:
    """Sessions of other clients on the same PostgreSQL database (running servers)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
