"""Roles: a web process runs no background work but its keyword index; `paperboy worker`
indexes, embeds and stops cleanly on SIGTERM; `paperboy serve --workers 2` answers from
two processes that embed nothing."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.jobs import BackgroundWork, role_of
from paperboy.search.service import SearchService
from paperboy.store import Store
from tests.support import ROOT, SMALL_PAPERS, free_port, wait_until_up


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_jobs_by_role(sqlite_store: Store, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        hf_sync_minutes=60,
        harvest_minutes=60,
        github_sync=True,
        github_sync_minutes=60,
    )
    search = SearchService(settings, sqlite_store)
    assert role_of(settings) == "all"
    assert role_of(settings.model_copy(update={"jobs": False})) == "web"
    web = BackgroundWork("web", settings, sqlite_store, search).names
    assert web == ["keyword index every 5 s"]
    worker = BackgroundWork("worker", settings, sqlite_store, search).names
    assert worker == [
        "keyword index every 5 s",
        "embeddings in leased batches",
        "digests when due",
        "arXiv harvest of cs every 60 min",
        "Hugging Face sync every 60 min",
        "GitHub sync every 60 min",
        "topic maps of recent periods every 30 min",
        "clean-up of expired sign-in tokens and old jobs",
    ]
    # A serve process with jobs runs the same work through the same job table, so it
    # can share the database with workers; without background indexing it neither
    # indexes nor embeds.
    assert BackgroundWork("all", settings, sqlite_store, search).names == worker
    quiet = settings.model_copy(update={"background_indexing": False})
    assert BackgroundWork("all", quiet, sqlite_store, search).names == worker[2:]


def _env(data: Path, model_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAPERBOY_DATA_DIR": str(data),
        "PAPERBOY_MODEL_DIR": str(model_dir),
        "PAPERBOY_INDEX_INTERVAL": "1",
        "PAPERBOY_LOAD_DEMO": "false",
    }


def _papers_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    store = Store.open(Settings(data_dir=data).resolved_database_url)
    runner = CliRunner()
    env = {"PAPERBOY_DATA_DIR": str(data)}
    assert runner.invoke(cli, ["ingest", "jsonl", str(SMALL_PAPERS)], env=env).exit_code == 0
    store.close()
    return data


def test_worker_indexes_embeds_and_stops_on_sigterm(tmp_path: Path, model_dir: Path) -> None:
    data = _papers_folder(tmp_path)
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "paperboy", "worker"]
    with log.open("wb") as out:
        worker = subprocess.Popen(command, env=_env(data, model_dir), stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while _count(data / "paperboy.db", "paper_embeddings") < 37:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    text = log.read_text()
    assert "paperboy worker running: keyword index every 1 s; embeddings in leased batches" in text
    assert "paperboy worker stopping (SIGTERM)" in text and "paperboy worker stopped" in text
    settings = Settings(data_dir=data, model_dir=model_dir)
    store = Store.open(settings.resolved_database_url)
    try:
        lexical = SearchService(settings, store).lexical
        assert lexical.num_docs == 37
    finally:
        store.close()


def test_serve_with_two_workers_answers_and_embeds_nothing(tmp_path: Path, model_dir: Path) -> None:
    data = _papers_folder(tmp_path)
    port = free_port()
    command = [sys.executable, "-m", "paperboy", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=_env(data, model_dir), stdout=out, stderr=out)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/health", server, log)
        answers = [httpx.get(f"{base}/day/2026-06-30", timeout=10) for _ in range(10)]
        assert all(a.status_code == 200 for a in answers)
        time.sleep(3)  # three index intervals: a worker-role process would embed by now
        assert _count(data / "paperboy.db", "paper_embeddings") == 0
        search = httpx.get(f"{base}/api/search?q=time+series&mode=lexical", timeout=10).json()
        assert search["results"]  # each process keeps its keyword index following the db
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert "2 processes, web only: run `paperboy worker`" in log.read_text()
    shutil.rmtree(data, ignore_errors=True)
