"""The process's instruments: a job's runs, failures and duration by kind (through the job
runner), and multi-process mode (PROMETHEUS_MULTIPROC_DIR), where one scrape adds up the
samples every process wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from paperboy.clock import utcnow
from paperboy.metrics import MULTIPROC_ENV, exposition
from paperboy.store import Store
from paperboy.store.models import jobs
from paperboy.workqueue.runner import Handler, JobContext, JobResult, JobRunner, RunnerSettings

ROOT = Path(__file__).resolve().parents[1]


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def test_job_runs_and_failures_are_counted_by_kind(sqlite_store: Store) -> None:
    calls = []

    def run(_context: JobContext) -> JobResult:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first run fails")
        return JobResult(items=1, item="runs")

    kind = "test_sync_1"
    before = exposition()[0].decode()
    sqlite_store.jobs.ensure_periodic(kind, kind, first_run=utcnow(), every=600)
    config = RunnerSettings(lease_seconds=30, heartbeat_seconds=5, backoff_seconds=0)
    runner = JobRunner(sqlite_store, [Handler(kind, run, every=600)], config, owner="w")
    for _ in range(3):
        with sqlite_store.engine.begin() as conn:  # due now, whatever its schedule
            conn.execute(update(jobs).values(run_after=utcnow()))
        deadline = time.monotonic() + 10
        while not runner.run_once():
            assert time.monotonic() < deadline
            time.sleep(0.01)
    after = exposition()[0].decode()
    runs = _value(after, "paperboy_job_runs_total", kind=kind)
    assert runs - _value(before, "paperboy_job_runs_total", kind=kind) == len(calls) == 3
    assert (
        _value(after, "paperboy_job_failures_total", kind=kind)
        - _value(before, "paperboy_job_failures_total", kind=kind)
        == 1
    )
    assert _value(after, "paperboy_job_duration_seconds_count", kind=kind) == runs


def test_multiprocess_mode_adds_up_every_process(tmp_path: Path) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, MULTIPROC_ENV: str(folder), "PYTHONPATH": str(ROOT)}
    record = (
        "from paperboy.metrics import observe_request, observe_job\n"
        "observe_request('GET', '/day/{day}', 200, 0.02)\n"
        "with observe_job('digest_run'): pass\n"
    )
    for _ in range(2):  # two worker processes, each exits after one request
        subprocess.run([sys.executable, "-c", record], env=env, check=True, timeout=60)
    scrape = "from paperboy.metrics import exposition; print(exposition()[0].decode())"
    done = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, timeout=60, capture_output=True
    )
    text = done.stdout.decode()
    labels = {"method": "GET", "route": "/day/{day}", "status": "200"}
    assert _value(text, "paperboy_http_requests_total", **labels) == 2
    assert _value(text, "paperboy_http_request_duration_seconds_count", **labels) == 2
    assert _value(text, "paperboy_job_runs_total", kind="digest_run") == 2
    assert list(folder.glob("*.db"))  # the samples live in files there
