"""Embedding through the job table: two workers embed every paper exactly once (counted
as the papers each finished batch encoded), in-process on both databases and as two
real `paperboy worker` processes on PostgreSQL; a worker SIGKILLed in the middle of a
batch loses its lease and a second worker finishes the batch, nothing lost or doubled."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.service import SearchService, model_key
from paperboy.store import Store
from paperboy.workqueue.embedding import BATCH_KIND, PLAN_KIND, embedding_handlers, ensure_plan_job
from paperboy.workqueue.runner import JobRunner, RunnerSettings
from tests.support import ROOT, SMALL_PAPERS

N_PAPERS = 37  # in SMALL_PAPERS


def _settings(tmp_path: Path, model_dir: Path, db_url: str, batch: int) -> Settings:
    return Settings(
        data_dir=tmp_path,
        model_dir=model_dir,
        database_url=db_url,
        job_embed_batch=batch,
        index_interval=1,
    )


def _check_each_paper_embedded_once(store: Store, model: str) -> int:
    """Every paper has its vector, no batch is open, and the finished batches together
    encoded each paper exactly once; returns the number of finished batches."""
    assert store.embeddings.count_to_embed(model) == 0
    assert store.jobs.list_jobs(BATCH_KIND, ["queued", "running", "failed"]) == []
    done = store.jobs.list_jobs(BATCH_KIND, ["done"])
    planned = [int(i) for job in done for i in job.payload["papers"]]
    assert len(planned) == len(set(planned)) == N_PAPERS  # no paper in two batches
    assert sum(int(job.payload["embedded"]) for job in done) == N_PAPERS
    return len(done)


def test_two_runners_embed_every_paper_exactly_once(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = _settings(tmp_path, model_dir, db_url, batch=4)
    stores = [Store.open(db_url) for _ in range(2)]
    try:
        assert ingest_jsonl(stores[0], SMALL_PAPERS).added == N_PAPERS
        config = RunnerSettings(lease_seconds=30, heartbeat_seconds=1, poll_seconds=0.05)
        runners = [
            JobRunner(
                s,
                embedding_handlers(SearchService(settings, s), settings),
                config,
                owner=f"worker-{n}",
                setup=lambda s=s: ensure_plan_job(s, settings),  # type: ignore[misc]
            )
            for n, s in enumerate(stores)
        ]
        for runner in runners:
            runner.start()
        model = model_key(settings.embedding_runtime)
        deadline = time.monotonic() + 90
        while stores[0].embeddings.count_to_embed(model) or stores[0].jobs.list_jobs(
            BATCH_KIND, ["queued", "running"]
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        for runner in runners:
            runner.stop()
        assert _check_each_paper_embedded_once(stores[0], model) == 10  # 37 papers by 4
        # What each runner counted adds up to the same: no paper encoded twice.
        assert sum(r.counts.items.get(BATCH_KIND, 0) for r in runners) == N_PAPERS
        assert all(not r.counts.failures for r in runners)
        plan = stores[0].jobs.get(PLAN_KIND, model)
        assert plan is not None and plan.state in ("queued", "running")
    finally:
        for s in stores:
            s.close()


def test_a_batch_skips_papers_embedded_meanwhile(
    sqlite_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = _settings(tmp_path, model_dir, sqlite_url, batch=50)
    settings = settings.model_copy(update={"index_interval": 600})  # one plan run only
    store = Store.open(sqlite_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        model = model_key(settings.embedding_runtime)
        search = SearchService(settings, store)
        first = store.embeddings.papers_to_embed(model, limit=5)
        # Another process stored vectors for five papers after the batch was planned.
        marker = np.full((5, 384), 0.5, dtype=np.float32)
        assert store.embeddings.save_new_embeddings(model, first, marker) == 5
        runner = JobRunner(
            store,
            embedding_handlers(search, settings),
            RunnerSettings(poll_seconds=0.05),
            owner="w",
            setup=lambda: ensure_plan_job(store, settings),
        )
        assert runner.run_once()  # the plan: one batch of the 32 papers left
        assert runner.run_once()  # the batch
        assert not runner.run_once()
        (batch,) = store.jobs.list_jobs(BATCH_KIND)
        assert batch.state == "done" and batch.payload["embedded"] == N_PAPERS - 5
        ids, vectors = store.embeddings.embeddings_for(model, 384, [p.paper_id for p in first])
        assert len(ids) == 5 and np.allclose(vectors, 0.5, atol=1e-3)  # kept, not replaced
        assert store.embeddings.count_to_embed(model) == 0
        # Saving again what exists writes nothing.
        assert store.embeddings.save_new_embeddings(model, first, marker) == 0
    finally:
        store.close()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "paperboy", "worker"], env=env, stdout=out, stderr=out
        )


def _worker_env(data: Path, model_dir: Path, db_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAPERBOY_DATA_DIR": str(data),
        "PAPERBOY_DATABASE_URL": db_url,
        "PAPERBOY_MODEL_DIR": str(model_dir),
        "PAPERBOY_INDEX_INTERVAL": "1",
        "PAPERBOY_LOAD_DEMO": "false",
        "PAPERBOY_DIGEST_SCHEDULER": "false",
        "PAPERBOY_JOB_LEASE_SECONDS": "3",
        "PAPERBOY_JOB_HEARTBEAT_SECONDS": "0.5",
        **extra,
    }


def _stop(worker: subprocess.Popen[bytes], log: Path) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            assert worker.wait(timeout=30) == 0, log.read_text()
        finally:
            if worker.poll() is None:
                worker.kill()


def _wait_until_embedded(
    store: Store, model: str, workers: list[subprocess.Popen[bytes]], log: Path
) -> None:
    deadline = time.monotonic() + 120
    while store.embeddings.count_to_embed(model) or store.jobs.list_jobs(
        BATCH_KIND, ["queued", "running"]
    ):
        assert all(w.poll() is None for w in workers), log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def test_a_killed_worker_batch_is_finished_by_another(
    tmp_path: Path, model_dir: Path, sqlite_url: str
) -> None:
    store = Store.open(sqlite_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        env = _worker_env(tmp_path, model_dir, sqlite_url, PAPERBOY_JOB_EMBED_BATCH="16")
        log = tmp_path / "workers.log"
        first = _worker(env, log)
        try:
            # Wait for its first batch to be claimed (the model loads inside it), then
            # kill it in the middle: no clean-up, no release, the lease just stops.
            deadline = time.monotonic() + 60
            while not (running := store.jobs.list_jobs(BATCH_KIND, ["running"])):
                assert first.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.02)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        (killed,) = running
        assert killed.lease_owner is not None and killed.lease_owner.endswith(f":{first.pid}")
        second = _worker(env, log)
        try:
            model = model_key(Settings(data_dir=tmp_path).embedding_runtime)
            _wait_until_embedded(store, model, [second], log)
        finally:
            _stop(second, log)
        assert _check_each_paper_embedded_once(store, model) == 3  # 37 papers by 16
        again = store.jobs.get(BATCH_KIND, killed.key)
        assert again is not None and again.attempts == 2
        text = log.read_text()
        assert f"key={killed.key} outcome=done" in text
    finally:
        store.close()


def test_two_worker_processes_on_postgres_embed_each_paper_once(
    tmp_path: Path, model_dir: Path, postgres_url: str
) -> None:
    store = Store.open(postgres_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        # Nobody is killed here: a lease long enough that a busy machine never loses one.
        env = _worker_env(
            tmp_path,
            model_dir,
            postgres_url,
            PAPERBOY_JOB_EMBED_BATCH="3",
            PAPERBOY_JOB_LEASE_SECONDS="30",
            PAPERBOY_JOB_HEARTBEAT_SECONDS="2",
        )
        logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        workers = [_worker(env, log) for log in logs]
        try:
            model = model_key(Settings(data_dir=tmp_path).embedding_runtime)
            _wait_until_embedded(store, model, workers, logs[0])
        finally:
            for worker, log in zip(workers, logs, strict=True):
                _stop(worker, log)
        assert _check_each_paper_embedded_once(store, model) == 13  # 37 papers by 3
        # The workers' own log lines add up to the same count of papers encoded.
        counted = [
            sum(int(n) for n in re.findall(r"kind=embed_batch .*? embedded=(\d+)", log.read_text()))
            for log in logs
        ]
        assert sum(counted) == N_PAPERS, counted
        finished = {
            line.split("key=")[1].split()[0]
            for log in logs
            for line in log.read_text().splitlines()
            if "kind=embed_batch" in line and "outcome=done" in line
        }
        assert len(finished) == 13
    finally:
        store.close()
