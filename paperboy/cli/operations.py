"""``paperboy db backup``, ``paperboy db restore`` and ``paperboy doctor``.

Expected failures print ``Error: ...`` and exit 1 (``cli/main.py``); ``doctor`` prints
its own report and exits 1 when a check FAILs."""

from __future__ import annotations

from pathlib import Path

import click

from paperboy.cli.main import AppContext, cli, db, pass_app
from paperboy.ops.backup import backup_database, restore_database
from paperboy.ops.doctor import run_checks


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def db_backup(app: AppContext, path: Path) -> None:
    """Write a backup of the database to PATH (a new file), while the site runs.

    SQLite: a copy consistent as of one moment, made with SQLite's online backup API
    while paperboy serves and writes, checked with PRAGMA integrity_check. PostgreSQL:
    runs pg_dump (custom format) with PAPERBOY_DATABASE_URL; without pg_dump on PATH it
    prints the command to run and exits 1. The keyword index is not backed up: it is
    rebuilt from the database.

    \b
    Example:
      paperboy db backup /var/backups/paperboy/paperboy-$(date +%F).db
    """
    done = backup_database(app.settings, path)
    what = f", {done.papers} papers" if done.papers is not None else ""
    click.echo(
        f"backup written to {done.path} ({done.engine}, {done.bytes / 1e6:.1f} MB{what}, "
        f"{done.seconds:.1f} s)"
    )


@db.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def db_restore(app: AppContext, path: Path) -> None:
    """Replace the database with the backup at PATH and migrate it to this version.

    Stop every paperboy process that uses the database first: the restore refuses
    while one does. SQLite: the backup is checked (PRAGMA integrity_check) and
    migrated before anything is replaced, and the old database is kept beside it as
    paperboy.db.before-restore-<time>. PostgreSQL: runs pg_restore --clean (prints the
    command when pg_restore is not on PATH). The keyword index is removed; the next
    `paperboy serve` or `paperboy index update` rebuilds it.

    \b
    Example:
      paperboy db restore /var/backups/paperboy/paperboy-2026-06-30.db
    """
    done = restore_database(app.settings, path)
    click.echo(
        f"restored {done.papers} papers ({done.engine}); schema "
        f"{done.revision_before or 'as in the backup'} -> {done.revision_after}"
    )
    if done.kept is not None:
        click.echo(f"the replaced database is kept at {done.kept}")
    if done.index_removed:
        click.echo("keyword index removed: `paperboy index update` (or serve) rebuilds it")


@cli.command()
def doctor() -> None:
    """Check this installation: configuration, data folder disk space, database,
    migrations, keyword index and embedding backlog, SMTP.

    Prints one line per check, OK, WARN or FAIL, with a hint for each problem; exits 1
    when any check FAILs (so it can gate a deployment). It only reads: no database is
    created and no migration is run.

    \b
    Example:
      paperboy doctor
      PAPERBOY_CONFIG=/etc/paperboy.toml paperboy doctor
    """
    counts = {"OK": 0, "WARN": 0, "FAIL": 0}
    for check in run_checks():
        counts[check.status] += 1
        colour = {"OK": "green", "WARN": "yellow", "FAIL": "red"}[check.status]
        click.echo(click.style(f"{check.status:<4}", fg=colour) + check.line()[4:])
    click.echo(f"{counts['OK']} ok, {counts['WARN']} warnings, {counts['FAIL']} failed")
    if counts["FAIL"]:
        raise click.exceptions.Exit(1)
