"""The process's instruments: a scheduled job's runs, failures and duration by kind, and
multi-process mode (PROMETHEUS_MULTIPROC_DIR), where one scrape adds up the samples every
process wrote."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from paperboy.metrics import MULTIPROC_ENV, exposition
from paperboy.periodic import PeriodicJob

ROOT = Path(__file__).resolve().parents[1]


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def test_periodic_job_runs_and_failures_are_counted_by_kind() -> None:
    calls = []

    def run() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first run fails")

    before = exposition()[0].decode()
    job = PeriodicJob(
        "Test sync #1", run, first_run=0, interval=0.01, log=logging.getLogger("test")
    )
    job.start()
    deadline = time.monotonic() + 10
    while job.runs < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    job.stop()
    after = exposition()[0].decode()
    kind = "test_sync_1"  # the label: lower case, punctuation folded
    runs = _value(after, "paperboy_job_runs_total", kind=kind)
    assert runs - _value(before, "paperboy_job_runs_total", kind=kind) == job.runs >= 3
    assert (
        _value(after, "paperboy_job_failures_total", kind=kind)
        - _value(before, "paperboy_job_failures_total", kind=kind)
        == 1
        == job.failures
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
