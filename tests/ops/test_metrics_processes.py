"""Metrics across processes (PROMETHEUS_MULTIPROC_DIR): `paperboy serve --workers 2`
answers from two processes and one scrape of either counts every request; a process that
exits forgets its live-only samples (the in-progress gauge), one that was SIGKILLed is
forgotten by the next process that starts; counters stay."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from paperboy.cli import cli
from paperboy.metrics import MULTIPROC_ENV, forget_dead_processes
from tests.support import ROOT, SMALL_PAPERS, free_port, wait_until_up

DAY_ROUTE = "/day/{key}"


def _pids(folder: Path, prefix: str) -> set[int]:
    """The processes that have written samples of this kind into the folder."""
    found = (re.search(r"_(\d+)\.db$", p.name) for p in folder.glob(f"{prefix}*.db"))
    return {int(m.group(1)) for m in found if m}


def _requests_by_route(text: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "paperboy_http_requests_total":
                route = sample.labels["route"]
                totals[route] = totals.get(route, 0.0) + sample.value
    return totals


@pytest.mark.slow  # about 10 s: `serve --workers 2` starts two real processes
def test_two_web_processes_one_scrape_counts_all_and_exits_clean_up(
    tmp_path: Path, model_dir: Path
) -> None:
    data, prom = tmp_path / "data", tmp_path / "prom"
    prom.mkdir()
    env = {"PAPERBOY_DATA_DIR": str(data), "PAPERBOY_LOAD_DEMO": "false"}
    assert CliRunner().invoke(cli, ["ingest", "jsonl", str(SMALL_PAPERS)], env=env).exit_code == 0
    port = free_port()
    env = {
        **os.environ,
        **env,
        "PYTHONPATH": str(ROOT),
        "PAPERBOY_MODEL_DIR": str(model_dir),
        MULTIPROC_ENV: str(prom),
    }
    command = [sys.executable, "-m", "paperboy", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/health", server, log)
        # A new connection per request, several at once, until both processes answered
        # some (the kernel hands connections to whichever process accepts first).
        sent = 0
        with ThreadPoolExecutor(4) as pool:
            while sent < 16 or (len(_pids(prom, "counter_")) < 2 and sent < 400):
                answers = list(
                    pool.map(lambda _: httpx.get(f"{base}/day/2026-06-30", timeout=30), range(8))
                )
                assert all(a.status_code == 200 for a in answers)
                sent += len(answers)
        served_by = _pids(prom, "counter_")
        assert len(served_by) == 2, (sent, served_by, log.read_text())
        assert server.pid not in served_by
        scrape = httpx.get(f"{base}/metrics", timeout=30)
        assert scrape.status_code == 200
        by_route = _requests_by_route(scrape.text)  # parses, or raises
        # /health answers from the start-up wait count too; the day page only from here.
        assert by_route[DAY_ROUTE] == sent
        assert _pids(prom, "gauge_livesum_") == served_by  # both alive, both counted
        again = _requests_by_route(httpx.get(f"{base}/metrics", timeout=30).text)
        assert again["/metrics"] == by_route.get("/metrics", 0) + 1  # the counter moves
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    # Every process forgot its live-only samples on the way out; totals stay.
    assert not list(prom.glob("gauge_live*.db")), log.read_text()
    assert _pids(prom, "counter_") == served_by


def test_a_killed_process_is_forgotten_by_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prom = tmp_path / "prom"
    prom.mkdir()
    env = {**os.environ, MULTIPROC_ENV: str(prom), "PYTHONPATH": str(ROOT)}
    dies_mid_request = (
        "import os, signal\n"
        "from paperboy.metrics import in_progress\n"
        "with in_progress('GET'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", dies_mid_request], env=env, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    leftover = _pids(prom, "gauge_livesum_")
    assert leftover  # no exit hook ran: its "1 request in progress" would stay forever
    exits_normally = "from paperboy.metrics import in_progress\nwith in_progress('GET'): pass\n"
    subprocess.run([sys.executable, "-c", exits_normally], env=env, timeout=60, check=True)
    assert _pids(prom, "gauge_livesum_") == leftover  # the normal one cleaned up after itself
    monkeypatch.setenv(MULTIPROC_ENV, str(prom))
    assert forget_dead_processes() == sorted(leftover)
    assert not list(prom.glob("gauge_live*.db"))
    assert forget_dead_processes() == []
