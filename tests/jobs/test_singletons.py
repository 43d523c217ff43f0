"""The scheduled work of `paperboy worker` through the job table: one row per periodic
job, one claimant at a time, rescheduled after each run, retried with backoff (never
given up); a harvest that failed half-way is resumed by another worker from its
committed resumptionToken; the clean-up; the runner's heartbeats; `paperboy jobs status`."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from paperboy.cli import cli
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.jobs import BackgroundWork
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.models import jobs
from paperboy.workqueue.runner import Handler, JobContext, JobResult, JobRunner, RunnerSettings
from paperboy.workqueue.singletons import ensure_singletons, worker_singletons
from tests.ingest.conftest import source_server, source_settings  # noqa: F401 (fixtures)
from tests.ingest.source_server import HEP_EX, HEP_TH, XML, LocalServer, OaiPages, read_page

FAST = RunnerSettings(lease_seconds=30, heartbeat_seconds=0.1, backoff_seconds=0, poll_seconds=0.05)


def test_the_singletons_follow_the_settings(sqlite_store: Store, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        hf_sync_minutes=60,
        harvest_minutes=60,
        github_sync=True,
        github_sync_minutes=60,
    )
    found = worker_singletons(sqlite_store, settings)
    assert [(s.handler.kind, s.handler.every) for s in found] == [
        ("digest_run", settings.digest_check_minutes * 60.0),
        ("harvest", 3600.0),
        ("hf_sync", 3600.0),
        ("github_sync", 3600.0),
        ("map_refresh", 1800.0),
        ("cleanup", 3600.0),
    ]
    quiet = Settings(data_dir=tmp_path, digest_scheduler=False, map_refresh_minutes=0)
    assert [s.handler.kind for s in worker_singletons(sqlite_store, quiet)] == ["cleanup"]
    ensure_singletons(sqlite_store, found)
    ensure_singletons(sqlite_store, found)  # idempotent: one row per job
    rows = {k.kind: k.queued for k in sqlite_store.jobs.status().kinds}
    assert rows == dict.fromkeys(
        ["cleanup", "digest_run", "github_sync", "harvest", "hf_sync", "map_refresh"], 1
    )
    harvest = sqlite_store.jobs.get("harvest", "harvest")
    assert harvest is not None and harvest.run_after > utcnow() + timedelta(seconds=50)


def test_the_clean_up_runs_once_for_two_workers(db_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, digest_scheduler=False, map_refresh_minutes=0)
    stores = [Store.open(db_url) for _ in range(2)]
    try:
        now = utcnow()
        for n, age in enumerate((timedelta(days=3), timedelta(hours=2), timedelta(0))):
            stores[0].accounts.add_login_token(
                f"{n:064d}",
                "a@example.org",
                None,
                created_at=now - age - timedelta(minutes=15),
                expires_at=now - age,
            )
        old = stores[0].jobs
        old.enqueue("embed_batch", "old")
        job = old.claim(["embed_batch"], "w", 60)
        assert job is not None and old.complete(job.id, "w")
        with stores[0].engine.begin() as conn:  # finished eight days ago
            conn.execute(update(jobs).values(finished_at=now - timedelta(days=8)))
        old.enqueue("embed_batch", "stuck")  # held by a worker that died
        assert old.claim(["embed_batch"], "dead:1", 60) is not None
        with stores[0].engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.key == "stuck")
                .values(lease_expires_at=now - timedelta(minutes=5))
            )
        singletons = worker_singletons(stores[0], settings)
        ensure_singletons(stores[0], singletons)
        with stores[0].engine.begin() as conn:  # due now rather than in a minute
            conn.execute(update(jobs).where(jobs.c.kind == "cleanup").values(run_after=now))
        runners = [
            JobRunner(
                s, [one.handler for one in worker_singletons(s, settings)], FAST, owner=f"w{n}"
            )
            for n, s in enumerate(stores)
        ]
        ran: list[bool] = []
        threads = [threading.Thread(target=lambda r=r: ran.append(r.run_once())) for r in runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(ran) == [False, True]  # one claimant
        # A token, an old job, an expired lease.
        assert sum(r.counts.items.get("cleanup", 0) for r in runners) == 3
        stuck = stores[0].jobs.get("embed_batch", "stuck")
        assert stuck is not None and stuck.state == "queued" and stuck.lease_owner is None
        assert stores[0].accounts.count_login_tokens(since=now - timedelta(days=10)) == 2
        row = stores[0].jobs.get("cleanup", "cleanup")
        assert row is not None and row.state == "queued" and row.attempts == 0
        assert row.run_after > utcnow() + timedelta(minutes=59)  # the next run in an hour
        assert not any(r.run_once() for r in runners)
    finally:
        for s in stores:
            s.close()


def test_a_periodic_job_retries_with_backoff_and_never_gives_up(sqlite_store: Store) -> None:
    calls: list[int] = []

    def flaky(context: JobContext) -> JobResult:
        calls.append(context.job.attempts)
        if len(calls) < 4:
            raise RuntimeError(f"source down (call {len(calls)})")
        return JobResult(items=7, item="papers")

    sqlite_store.jobs.ensure_periodic("flaky", "flaky", first_run=utcnow(), every=600)
    with sqlite_store.engine.begin() as conn:  # one attempt allowed, yet it keeps trying
        conn.execute(update(jobs).values(max_attempts=2))
    config = RunnerSettings(lease_seconds=30, heartbeat_seconds=5, backoff_seconds=0.05)
    runner = JobRunner(sqlite_store, [Handler("flaky", flaky, every=600)], config, owner="w")
    for _ in range(4):
        deadline = time.monotonic() + 5
        while not runner.run_once():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        row = sqlite_store.jobs.get("flaky", "flaky")
        assert row is not None and row.state == "queued"
    assert calls == [1, 2, 3, 4]
    assert row.last_error is None and row.attempts == 0
    assert row.run_after > utcnow() + timedelta(seconds=590)
    assert runner.counts.failures == {"flaky": 3} and runner.counts.items == {"flaky": 7}


def test_heartbeats_keep_a_long_job_and_a_second_worker_waits(db_url: str) -> None:
    stores = [Store.open(db_url) for _ in range(2)]
    try:
        started = threading.Event()

        def slow(context: JobContext) -> JobResult:
            started.set()
            time.sleep(2.5)  # two and a half leases long
            return JobResult(items=1, item="runs")

        config = RunnerSettings(lease_seconds=1.0, heartbeat_seconds=0.1, poll_seconds=0.05)
        first = JobRunner(stores[0], [Handler("slow", slow)], config, owner="w1")
        second = JobRunner(stores[1], [Handler("slow", slow)], config, owner="w2")
        stores[0].jobs.enqueue("slow", "one")
        thread = threading.Thread(target=first.run_once)
        thread.start()
        assert started.wait(10)
        for _ in range(20):  # 2 s: past two lease lengths, still held
            assert not second.run_once()
            time.sleep(0.1)
        thread.join(10)
        row = stores[0].jobs.get("slow", "one")
        assert row is not None and row.state == "done" and row.attempts == 1
        assert second.counts.runs == {}
    finally:
        for s in stores:
            s.close()


@pytest.mark.usefixtures("source_server")
def test_a_failed_harvest_is_resumed_by_another_worker_from_its_position(
    source_server: LocalServer,  # noqa: F811
    source_settings: Settings,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = source_settings.model_copy(
        update={
            "harvest_sets": "physics",
            "harvest_minutes": 60,
            "max_retries": 0,
            "digest_scheduler": False,
            "map_refresh_minutes": 0,
        }
    )
    pages = OaiPages([read_page(HEP_EX), read_page(HEP_TH)])
    down = {"p2": True}
    pages.override = lambda seen: (
        (503, XML, b"down") if seen.query.get("resumptionToken") == "p2" and down["p2"] else None
    )
    source_server.handler = pages
    url = f"sqlite:///{tmp_path}/t.db"
    stores = [Store.open(url) for _ in range(2)]
    try:
        singletons = worker_singletons(stores[0], settings)
        ensure_singletons(stores[0], singletons)
        with stores[0].engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.kind == "harvest").values(run_after=utcnow()))
        handlers = [one.handler for one in singletons if one.handler.kind == "harvest"]
        first = JobRunner(stores[0], handlers, FAST, owner="w1")
        assert first.run_once()
        row = stores[0].jobs.get("harvest", "harvest")
        assert row is not None and row.state == "queued" and row.last_error is not None
        assert "physics" in row.last_error and row.payload == {"set": "physics"}
        after_first = stores[0].papers.count_papers()
        assert after_first == pages.sizes[0]  # page 1 committed with its position
        down["p2"] = False
        second = JobRunner(stores[1], handlers, FAST, owner="w2")
        deadline = time.monotonic() + 10
        while not second.run_once():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        tokens = [s.query.get("resumptionToken") for s in source_server.requests("/oai2")]
        assert tokens[-1] == "p2"  # resumed at page 2, page 1 not asked again
        assert tokens.count(None) == 1
        assert stores[1].papers.count_papers() == pages.total
        row = stores[0].jobs.get("harvest", "harvest")
        assert row is not None and row.state == "queued" and row.last_error is None
        assert second.counts.items == {"harvest": pages.sizes[1]}
    finally:
        for s in stores:
            s.close()


def test_jobs_status_lists_queues_leases_and_failures(sqlite_url: str, tmp_path: Path) -> None:
    # (The CLI on SQLite: its store lives as long as the process; the status query itself
    # runs on both databases in test_queue_store.py.)
    db_url = sqlite_url
    store = Store.open(db_url)
    try:
        env = {"PAPERBOY_DATABASE_URL": db_url, "PAPERBOY_DATA_DIR": str(tmp_path)}
        empty = CliRunner().invoke(cli, ["jobs", "status"], env=env)
        assert empty.exit_code == 0 and "No jobs yet" in empty.output
        store.jobs.enqueue_many("embed_batch", [("a", {}), ("b", {}), ("c", {})], max_attempts=1)
        held = store.jobs.claim(["embed_batch"], "box:4242", 60)
        broken = store.jobs.claim(["embed_batch"], "box:4343", 60)
        assert held is not None and broken is not None
        assert store.jobs.fail(broken.id, "box:4343", "model file missing", backoff_seconds=0)
        result = CliRunner().invoke(cli, ["jobs", "status"], env=env)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[1].split() == [
            "kind",
            "queued",
            "running",
            "failed",
            "done",
            "24h",
            "oldest",
            "due",
            "waits",
        ]
        assert lines[2].split()[:5] == ["embed_batch", "1", "1", "1", "0"]
        assert "  embed_batch a: box:4242, expires in" in result.output
        assert "attempt 1/1" in result.output
        assert "embed_batch b (failed, attempt 1/1" in result.output
        assert result.output.rstrip().endswith("model file missing")
        doc = json.loads(CliRunner().invoke(cli, ["jobs", "status", "--json"], env=env).output)
        assert doc["kinds"] == [
            {
                "kind": "embed_batch",
                "queued": 1,
                "running": 1,
                "failed": 1,
                "done_24h": 0,
                "oldest_due_seconds": doc["kinds"][0]["oldest_due_seconds"],
            }
        ]
        assert doc["kinds"][0]["oldest_due_seconds"] >= 0
        (lease,) = doc["leases"]
        assert lease["owner"] == "box:4242" and 55 < lease["expires_in_seconds"] <= 60
        (failure,) = doc["failures"]
        assert failure["error"] == "model file missing" and failure["state"] == "failed"
    finally:
        store.close()


def test_worker_role_lists_its_queued_work(sqlite_store: Store, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, harvest_minutes=30)
    work = BackgroundWork("worker", settings, sqlite_store, SearchService(settings, sqlite_store))
    assert work.names == [
        "keyword index every 5 s",
        "embeddings in leased batches",
        "digests when due",
        "arXiv harvest of cs every 30 min",
        "topic maps of recent periods every 30 min",
        "clean-up of expired sign-in tokens and old jobs",
    ]
