"""``paperboy db backup`` and ``paperboy db restore``: what they check and in which order.

A backup never overwrites a file, and a failed one leaves no file behind. A restore
checks the backup first (SQLite: ``PRAGMA integrity_check`` and paperboy's tables),
refuses while another process (a running ``paperboy serve``) uses the database,
migrates the restored copy to this code's schema before it replaces anything, keeps
the database it replaces beside it (``paperboy.db.before-restore-<time>``), and removes
this machine's keyword index, which described the old database (the next
``paperboy serve`` or ``paperboy index update`` builds it again; embeddings live in the
database and come back with it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.errors import Conflict, InvalidInput, PaperboyError
from paperboy.store import Store
from paperboy.store.backup import (
    PgCommand,
    backup_sqlite,
    check_sqlite_file,
    pg_dump_command,
    pg_restore_command,
    postgres_other_connections,
    sqlite_file,
    sqlite_in_use,
)
from paperboy.store.db import masked_url

IN_USE = (
    "the database is in use by another process (a running paperboy serve, worker or "
    "command); stop it first (systemctl stop paperboy), then run the restore again"
)


class ToolMissing(PaperboyError):
    """A PostgreSQL client tool is not on PATH; the message says what to run instead."""


@dataclass(frozen=True)
class BackupDone:
    path: Path
    engine: str
    bytes: int
    seconds: float
    papers: int | None  # known for SQLite (counted in the copy)


@dataclass(frozen=True)
class RestoreDone:
    engine: str
    papers: int
    revision_before: str | None  # the backup's schema revision
    revision_after: str | None
    kept: Path | None  # the database the restore replaced
    index_removed: bool


def backup_database(settings: Settings, destination: Path) -> BackupDone:
    url = settings.resolved_database_url
    destination = destination.absolute()
    if destination.exists():
        raise Conflict(f"{destination} exists; give the backup a new name (nothing written)")
    if not destination.parent.is_dir():
        raise InvalidInput(f"folder {destination.parent} does not exist")
    started = time.perf_counter()
    path = sqlite_file(url)
    if path is not None:
        facts = backup_sqlite(path, destination)
        return BackupDone(
            destination, "sqlite", destination.stat().st_size, _since(started), facts.papers
        )
    if not url.startswith("postgresql"):
        raise InvalidInput(f"cannot back up {masked_url(url)}: not a database file")
    _run(pg_dump_command(url, destination), cleanup=destination)
    return BackupDone(destination, "postgresql", destination.stat().st_size, _since(started), None)


def restore_database(settings: Settings, source: Path) -> RestoreDone:
    url = settings.resolved_database_url
    source = source.absolute()
    if not source.is_file():
        raise InvalidInput(f"no backup file at {source}")
    path = sqlite_file(url)
    if path is not None:
        done = _restore_sqlite(source, path)
    elif url.startswith("postgresql"):
        done = _restore_postgres(url, source)
    else:
        raise InvalidInput(f"cannot restore into {masked_url(url)}: not a database file")
    index = settings.resolved_index_dir / "lexical"
    removed = index.exists()
    if removed:
        shutil.rmtree(index)
    return replace(done, index_removed=removed)


def _restore_sqlite(source: Path, target: Path) -> RestoreDone:
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(target.name + ".restoring")
    _remove_sqlite_files(work)
    shutil.copyfile(source, work)
    try:
        before = check_sqlite_file(work)  # ConfigError says what is wrong with it
        restored = Store.open(f"sqlite:///{work}")  # migrated to this code's schema
        try:
            revision = restored.operations.schema_state().current
            papers = restored.papers.count_papers()
        finally:
            restored.close()
        # Nobody else knows this file; the probe folds its write-ahead log into it, so
        # the renamed file alone is the whole database.
        sqlite_in_use(work)
        kept = None
        if target.exists():
            if sqlite_in_use(target):
                raise Conflict(IN_USE)
            kept = target.with_name(
                f"{target.name}.before-restore-{utcnow().strftime('%Y%m%dT%H%M%S')}"
            )
            os.replace(target, kept)
            _remove_sqlite_files(target, keep_main=True)
        os.replace(work, target)
    finally:
        _remove_sqlite_files(work)
    return RestoreDone("sqlite", papers, before.revision, revision, kept, False)


def _remove_sqlite_files(path: Path, *, keep_main: bool = False) -> None:
    """The database file and its companions (write-ahead log, shared memory, the
    migration lock file)."""
    suffixes = ["-wal", "-shm", ".migrate.lock"] + ([] if keep_main else [""])
    for suffix in suffixes:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _restore_postgres(url: str, source: Path) -> RestoreDone:
    command = pg_restore_command(url, source)
    _require_tool(command)
    store = Store.open(url, migrate=False)
    try:
        if postgres_other_connections(store.engine):
            raise Conflict(IN_USE)
    finally:
        store.close()
    _run(command)
    store = Store.open(url)  # migrates the restored schema to this code's
    try:
        state = store.operations.schema_state()
        return RestoreDone(
            "postgresql", store.papers.count_papers(), None, state.current, None, False
        )
    finally:
        store.close()


def _require_tool(command: PgCommand) -> None:
    tool = command.argv[0]
    if shutil.which(tool) is None:
        raise ToolMissing(
            f"{tool} is not on PATH. Install the PostgreSQL client tools of your server's "
            f"version (Debian: apt install postgresql-client), or run this where they are "
            f"(PGPASSWORD holding the database password):\n  {command.shown()}"
        )


def _run(command: PgCommand, cleanup: Path | None = None) -> None:
    _require_tool(command)
    done = subprocess.run(  # noqa: S603 (argv built from the configured URL, no shell)
        command.argv,
        env={**os.environ, **command.env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        if cleanup is not None:
            cleanup.unlink(missing_ok=True)
        reason = (done.stderr.strip() or done.stdout.strip() or "no output")[-1000:]
        raise PaperboyError(f"{command.argv[0]} failed (exit {done.returncode}): {reason}")


def _since(started: float) -> float:
    return time.perf_counter() - started
