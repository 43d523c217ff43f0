"""`paperboy db backup` and `paperboy db restore` on real databases: a live SQLite site
backed up while a thread keeps adding papers and votes, restored into a fresh data
folder with exactly the rows of one moment; a restore refuses while a process holds the
database, refuses a damaged or foreign file, and migrates an old backup; PostgreSQL
round-trips through pg_dump/pg_restore, and without them the command to run is printed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from paperboy.arxiv import PaperRecord
from paperboy.cli import cli
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.store import Store
from paperboy.store.backup import check_sqlite_file
from paperboy.store.db import upgrade_schema
from paperboy.store.operations import head_revision
from tests.conftest import POSTGRES_ENV, fresh_database
from tests.support import SMALL_PAPERS

WRITER_PREFIX = "2698."


def run(data_dir: Path, *args: str, database_url: str | None = None) -> Result:
    env = {"PAPERBOY_DATA_DIR": str(data_dir), "PAPERBOY_DATABASE_URL": database_url}
    return CliRunner().invoke(cli, list(args), env=env)


def db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'paperboy.db'}"


class Writer(threading.Thread):
    """Adds paper i, then votes for it (two transactions), until stopped; ``done`` is
    the number of papers whose vote is committed too."""

    def __init__(self, store: Store, user_id: int) -> None:
        super().__init__(daemon=True)
        self.store, self.user_id = store, user_id
        self.done = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                arxiv_id = f"{WRITER_PREFIX}{self.done:05d}"
                record = PaperRecord(
                    arxiv_id=arxiv_id,
                    title=f"Paper {self.done} written during the backup",
                    abstract="A paper the writer thread adds.",
                    authors=["W. Riter"],
                    categories=["cs.DB"],
                    announced=date(2026, 6, 30),
                )
                self.store.papers.upsert_papers([record])
                paper = self.store.papers.get_paper(arxiv_id)
                assert paper is not None
                self.store.votes.toggle_vote(self.user_id, paper.id)
                self.done += 1
        except BaseException as exc:
            self.error = exc

    def wait_for(self, n: int) -> None:
        deadline = time.monotonic() + 30
        while self.done < n and time.monotonic() < deadline and self.error is None:
            time.sleep(0.005)
        assert self.error is None and self.done >= n


def writer_rows(store: Store) -> tuple[list[str], int]:
    """The writer's papers in the store (sorted) and the votes on them."""
    ids = sorted(
        p for p in store.papers.get_papers([f"{WRITER_PREFIX}{i:05d}" for i in range(5000)])
    )
    found = store.papers.get_papers(ids)
    votes = sum(store.votes.vote_totals([p.id for p in found.values()]).values())
    return ids, votes


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[Path, Store]]:
    data = tmp_path / "live"
    store = Store.open(db_url(data))
    assert ingest_jsonl(store, SMALL_PAPERS).added == 37
    yield data, store
    store.close()


def test_backup_under_writes_restores_one_moment_into_a_fresh_data_dir(
    tmp_path: Path, live_site: tuple[Path, Store]
) -> None:
    data, site = live_site
    user = site.accounts.create_user("writer@example.org")
    writer = Writer(site, user.id)
    writer.start()
    try:
        writer.wait_for(20)
        before = writer.done  # committed, both papers and votes, before the backup
        backup = tmp_path / "site.db"
        result = run(data, "db", "backup", str(backup))
        after = writer.done + 1  # the paper in flight may have committed as well
        assert result.exit_code == 0, result.output
        assert f"backup written to {backup} (sqlite" in result.output
        writer.wait_for(after + 10)  # the site kept writing after the backup
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.error is None
    assert check_sqlite_file(backup).papers >= 37 + before

    fresh = tmp_path / "fresh"
    restored = run(fresh, "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    store = Store.open(db_url(fresh))
    try:
        ids, votes = writer_rows(store)
        n = len(ids)
        assert before <= n <= after
        # One moment: the first n papers, no gap, and the votes of those (the last
        # paper's vote may have been the next transaction).
        assert ids == [f"{WRITER_PREFIX}{i:05d}" for i in range(n)]
        assert votes in (n - 1, n)
        assert store.papers.count_papers() == 37 + n
        assert f"restored {37 + n} papers (sqlite)" in restored.output
        live_ids, _ = writer_rows(site)
        assert len(live_ids) > n  # the live site went on; the copy did not
    finally:
        store.close()
    assert check_sqlite_file(fresh / "paperboy.db").revision == head_revision()


def test_restore_refuses_while_the_database_is_in_use_then_keeps_the_old_one(
    tmp_path: Path, live_site: tuple[Path, Store]
) -> None:
    data, site = live_site
    backup = tmp_path / "b.db"
    assert run(data, "db", "backup", str(backup)).exit_code == 0
    site.papers.upsert_papers(
        [PaperRecord(arxiv_id="2698.99999", title="Added after the backup", abstract="x")]
    )
    (data / "index" / "lexical").mkdir(parents=True)
    site.papers.count_papers()  # the site holds a pooled connection, as a server does
    refused = run(data, "db", "restore", str(backup))
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: the database is in use by another process")
    assert site.papers.count_papers() == 38  # nothing changed
    assert (data / "index" / "lexical").exists()
    site.close()  # the server stops

    restored = run(data, "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "restored 37 papers" in restored.output
    assert "keyword index removed" in restored.output
    assert not (data / "index" / "lexical").exists()
    kept = list(data.glob("paperboy.db.before-restore-*"))
    assert len(kept) == 1 and check_sqlite_file(kept[0]).papers == 38
    assert f"the replaced database is kept at {kept[0]}" in restored.output
    back = Store.open(db_url(data))
    try:
        assert back.papers.count_papers() == 37
        assert back.papers.get_paper("2698.99999") is None
    finally:
        back.close()


def test_restore_refuses_a_damaged_or_foreign_file_and_changes_nothing(
    tmp_path: Path, live_site: tuple[Path, Store]
) -> None:
    data, site = live_site
    site.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    damaged = run(data, "db", "restore", str(garbage))
    assert damaged.exit_code == 1
    assert damaged.output.startswith("Error: not a readable SQLite database") or (
        damaged.output.startswith("Error: integrity check failed")
    )
    foreign = tmp_path / "foreign.db"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    other = run(data, "db", "restore", str(foreign))
    assert other.exit_code == 1
    assert "not a paperboy database (no table alembic_version, papers)" in other.output
    missing = run(data, "db", "restore", str(tmp_path / "nope.db"))
    assert missing.exit_code == 1 and "no backup file at" in missing.output
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("paperboy.db")) == [
        "paperboy.db",
        "paperboy.db.migrate.lock",
    ]
    assert check_sqlite_file(data / "paperboy.db").papers == 37


def test_backup_never_overwrites_and_an_old_backup_is_migrated(tmp_path: Path) -> None:
    old = tmp_path / "old"
    store = Store.open(db_url(old), migrate=False)
    upgrade_schema(store.engine, "0012")
    store.close()
    backup = tmp_path / "old-backup.db"
    assert run(old, "db", "backup", str(backup)).exit_code == 0
    assert check_sqlite_file(backup).revision == "0012"
    again = run(old, "db", "backup", str(backup))
    assert again.exit_code == 1 and "exists; give the backup a new name" in again.output
    restored = run(tmp_path / "new", "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert f"schema 0012 -> {head_revision()}" in restored.output


@pytest.fixture
def second_postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    with fresh_database(server) as (_, url):
        yield url


def test_postgresql_round_trip_through_pg_dump(
    tmp_path: Path, postgres_url: str, second_postgres_url: str
) -> None:
    source = Store.open(postgres_url)
    assert ingest_jsonl(source, SMALL_PAPERS).added == 37
    source.close()
    backup = tmp_path / "pg.dump"
    done = run(tmp_path, "db", "backup", str(backup), database_url=postgres_url)
    assert done.exit_code == 0, done.output
    assert "(postgresql," in done.output and backup.stat().st_size > 0
    server = Store.open(second_postgres_url)  # a running server's session
    try:
        with server.engine.connect():
            busy = run(tmp_path, "db", "restore", str(backup), database_url=second_postgres_url)
            assert busy.exit_code == 1
            assert busy.output.startswith("Error: the database is in use by another process")
        assert server.papers.count_papers() == 0  # nothing restored
    finally:
        server.close()
    restored = run(tmp_path, "db", "restore", str(backup), database_url=second_postgres_url)
    assert restored.exit_code == 0, restored.output
    assert "restored 37 papers (postgresql)" in restored.output
    target = Store.open(second_postgres_url)
    try:
        assert target.papers.count_papers() == 37
        assert target.operations.schema_state().is_current
    finally:
        target.close()


def test_without_pg_dump_the_command_to_run_is_printed(tmp_path: Path) -> None:
    url = "postgresql+psycopg://paperboy:s3cret-pw@db.example.org:5432/paperboy"
    env = {
        "PAPERBOY_DATA_DIR": str(tmp_path),
        "PAPERBOY_DATABASE_URL": url,
        "PATH": str(tmp_path),  # no PostgreSQL tools here
    }
    result = CliRunner().invoke(cli, ["db", "backup", str(tmp_path / "x.dump")], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("Error: pg_dump is not on PATH")
    assert (
        f"PGPASSWORD='...' pg_dump --format=custom --file={tmp_path / 'x.dump'} "
        "--dbname=postgresql://paperboy@db.example.org:5432/paperboy"
    ) in result.output
    assert "s3cret-pw" not in result.output
    assert not (tmp_path / "x.dump").exists()
