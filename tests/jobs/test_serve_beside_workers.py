"""A `paperboy serve` with jobs (role "all") beside a `paperboy worker` on one database
shares the work through the job table: each paper is embedded once (counting the model's
calls in both), each periodic job has one row; and a lone `paperboy serve` on SQLite
still embeds a new paper within seconds, found by semantic search."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.jobs import BackgroundWork
from paperboy.search.embed import paper_text
from paperboy.search.service import model_key
from paperboy.store import Store
from paperboy.workqueue.embedding import BATCH_KIND, PLAN_KIND
from tests.jobs.embedders import FaultySearch
from tests.support import SMALL_PAPERS, free_port, wait_until_up

N_PAPERS = 37


def test_serve_and_worker_embed_each_paper_once(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    stores = [Store.open(db_url) for _ in range(2)]
    works: list[BackgroundWork] = []
    try:
        assert ingest_jsonl(stores[0], SMALL_PAPERS).added == N_PAPERS
        searches = []
        for role, store in zip(("all", "worker"), stores, strict=True):
            # Each process its own data folder (keyword index), one database.
            settings = Settings(
                data_dir=tmp_path / role,
                model_dir=model_dir,
                database_url=db_url,
                job_embed_batch=3,
                index_interval=1,
                digest_scheduler=True,
            )
            search = FaultySearch(settings, store, set())
            searches.append(search)
            works.append(BackgroundWork(role, settings, store, search))  # type: ignore[arg-type]
        assert works[0].names == works[1].names  # the same work, through the same table
        for work in works:
            work.start()
        model = model_key(settings.embedding_runtime)
        deadline = time.monotonic() + 120
        while stores[0].embeddings.count_to_embed(model) or stores[0].jobs.list_jobs(
            BATCH_KIND, ["queued", "running"]
        ):
            assert time.monotonic() < deadline, "not embedded in 120 s"
            time.sleep(0.2)
        for work in works:
            work.stop()
        works = []
        # The model saw every paper exactly once, in one process or the other.
        encoded = [s.faulty.encoded if s.faulty else {} for s in searches]
        texts = {paper_text(p["title"], p["abstract"]) for p in _records()}
        together = {t: sum(e.get(t, 0) for e in encoded) for t in texts}
        assert together == dict.fromkeys(texts, 1)
        done = stores[0].jobs.list_jobs(BATCH_KIND, ["done"])
        planned = [int(i) for job in done for i in job.payload["papers"]]
        assert len(planned) == len(set(planned)) == N_PAPERS
        # One row per periodic job, whichever process created or ran it.
        for kind, key in ((PLAN_KIND, model), ("digest_run", "digest_run"), ("cleanup", "cleanup")):
            row = stores[0].jobs.get(kind, key)
            assert row is not None and row.state in ("queued", "running"), kind
        assert stores[0].jobs.status().kinds  # nothing failed
        assert not [k for k in stores[0].jobs.status().kinds if k.failed]
    finally:
        for work in works:
            work.stop()
        for store in stores:
            store.close()


def _records() -> list[dict[str, str]]:
    return [json.loads(line) for line in SMALL_PAPERS.read_text().splitlines() if line.strip()]


def _embedded(db: Path, arxiv_id: str) -> bool:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(
            "SELECT count(*) FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id "
            "WHERE p.arxiv_id = ?",
            (arxiv_id,),
        ).fetchone()
    return bool(row[0])


def test_a_lone_serve_embeds_a_new_paper_within_seconds(
    tmp_path: Path, prepared_data_dir: Path, model_dir: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(prepared_data_dir, data)
    port = free_port()
    env = {
        **os.environ,
        "PAPERBOY_DATA_DIR": str(data),
        "PAPERBOY_MODEL_DIR": str(model_dir),
        "PAPERBOY_LOAD_DEMO": "false",
        "PAPERBOY_DIGEST_SCHEDULER": "false",
        "PAPERBOY_MAP_REFRESH_MINUTES": "0",
    }  # PAPERBOY_INDEX_INTERVAL stays at its default, 5 s
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "paperboy", "serve", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/health", server, log)
        time.sleep(2)  # the first plan has run and found nothing to embed
        record = dict(_records()[0])
        record.update(
            id="2607.00001",
            title="Poisoned gradient descent for graph colouring of lattice puzzles",
            abstract="We colour the cells of lattice puzzles by gradient descent with a "
            "poison penalty that keeps neighbouring cells apart.",
        )
        new = tmp_path / "new.jsonl"
        new.write_text(json.dumps(record) + "\n")
        store = Store.open(Settings(data_dir=data).resolved_database_url)
        try:
            assert ingest_jsonl(store, new).added == 1
        finally:
            store.close()
        committed = time.monotonic()
        while not _embedded(data / "paperboy.db", "2607.00001"):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() - committed < 30, log.read_text()
            time.sleep(0.1)
        took = time.monotonic() - committed
        # Semantic search finds it (the web process picks the vector up within 2 s).
        query = {"q": "colouring lattice puzzles with gradient descent", "mode": "semantic"}
        found: list[str] = []
        while time.monotonic() - committed < took + 10:
            answer = httpx.get(f"{base}/api/search", params=query, timeout=10)
            assert answer.status_code == 200, answer.text
            found = [r["id"] for r in answer.json()["results"]][:3]
            if "2607.00001" in found:
                break
            time.sleep(0.2)
        assert "2607.00001" in found
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    # One plan interval (5 s) plus the batch; generous for a loaded machine.
    assert took < 15, f"embedded {took:.1f} s after its commit"
    print(f"new paper embedded {took:.1f} s after its commit")


def test_serve_and_worker_processes_on_postgres_embed_each_paper_once(
    tmp_path: Path, model_dir: Path, postgres_url: str
) -> None:
    """The same as real processes of the CLI: `paperboy serve` (jobs on, the default)
    and `paperboy worker` on one PostgreSQL database, each its own data folder."""
    store = Store.open(postgres_url)
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        for name, command in (
            ("serve", ["serve", "--port", str(free_port())]),
            ("worker", ["worker"]),
        ):
            env = {
                **os.environ,
                "PAPERBOY_DATA_DIR": str(tmp_path / name),
                "PAPERBOY_DATABASE_URL": postgres_url,
                "PAPERBOY_MODEL_DIR": str(model_dir),
                "PAPERBOY_INDEX_INTERVAL": "1",
                "PAPERBOY_LOAD_DEMO": "false",
                "PAPERBOY_JOB_EMBED_BATCH": "3",
                # Nobody is killed here: a lease a busy machine never loses.
                "PAPERBOY_JOB_LEASE_SECONDS": "30",
                "PAPERBOY_JOB_HEARTBEAT_SECONDS": "2",
            }
            log = tmp_path / f"{name}.log"
            with log.open("wb") as out:
                command = [sys.executable, "-m", "paperboy", *command]
                processes.append((subprocess.Popen(command, env=env, stdout=out, stderr=out), log))
        model = model_key(Settings(data_dir=tmp_path).embedding_runtime)
        deadline = time.monotonic() + 120
        while store.embeddings.count_to_embed(model) or store.jobs.list_jobs(
            BATCH_KIND, ["queued", "running"]
        ):
            for process, log in processes:
                assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, processes[0][1].read_text()
            time.sleep(0.2)
    finally:
        for process, _log in processes:
            process.send_signal(signal.SIGTERM)
        for process, _log in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    try:
        done = store.jobs.list_jobs(BATCH_KIND, ["done"])
        planned = [int(i) for job in done for i in job.payload["papers"]]
        assert len(done) == 13 and len(planned) == len(set(planned)) == N_PAPERS
        # Each process's log lines of the batches it finished add up to every paper once.
        counted = {
            log.name: sum(
                int(n) for n in re.findall(r"kind=embed_batch .*? embedded=(\d+)", log.read_text())
            )
            for _process, log in processes
        }
        assert sum(counted.values()) == N_PAPERS, counted
        assert "1 process, web and jobs" in processes[0][1].read_text()
    finally:
        store.close()
