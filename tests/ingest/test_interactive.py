"""The interactive arXiv client (web requests): it never waits, against the real local
arXiv stand-in."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from paperboy.config import Settings
from paperboy.errors import ServiceUnavailable, SourceError, TooManyRequests
from paperboy.ingest.http import gate_for
from paperboy.ingest.interactive import InteractiveArxiv
from tests.ingest.source_server import DROP, Answer, LocalServer, Seen

EMPTY_FEED = b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>'


def empty(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/atom+xml"}, EMPTY_FEED


def client(tmp_path: Path, server: LocalServer, **overrides: object) -> InteractiveArxiv:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "arxiv_api_url": f"{server.url}/api/query",
        "request_interval": 0.0,
        "arxiv_interactive_timeout": 5.0,
    }
    values.update(overrides)
    return InteractiveArxiv(Settings(**values))  # type: ignore[arg-type]


def test_arxiv_saying_wait_is_a_503_at_once_and_holds_the_gate_off(
    tmp_path: Path, source_server: LocalServer
) -> None:
    source_server.handler = lambda seen: (503, {"Retry-After": "120"}, b"busy")
    arxiv = client(tmp_path, source_server, max_retries=5, request_interval=3.0)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as refused:
        arxiv.fetch_records(["2611.00001"])
    assert time.monotonic() - started < 1.0  # the polite client would wait 120 s, 5 times
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "120"
    assert len(source_server.requests("/api/query")) == 1
    # arXiv asked for 120 s: the next lookup is refused without asking it again, and the
    # harvester (same gate) would wait too.
    source_server.handler = empty
    with pytest.raises(ServiceUnavailable) as again:
        arxiv.fetch_records(["2611.00002"])
    assert 100 < again.value.retry_after <= 120
    assert len(source_server.requests("/api/query")) == 1
    assert gate_for(source_server.url).try_turn(3.0) > 100


def test_a_taken_spacing_slot_is_a_503_at_once(tmp_path: Path, source_server: LocalServer) -> None:
    source_server.handler = empty
    arxiv = client(tmp_path, source_server, request_interval=30.0)
    assert arxiv.fetch_records(["2611.00001"])[0] == []
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as refused:
        arxiv.fetch_records(["2611.00002"])
    assert time.monotonic() - started < 1.0
    assert 25 < refused.value.retry_after <= 30
    assert len(source_server.requests("/api/query")) == 1


def test_lookups_beyond_the_concurrency_bound_are_refused_at_once(
    tmp_path: Path, source_server: LocalServer
) -> None:
    release = threading.Event()

    def slow(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        release.wait(10)
        return empty(seen)

    source_server.handler = slow
    arxiv = client(tmp_path, source_server, arxiv_interactive_concurrency=1)
    first = threading.Thread(target=arxiv.fetch_records, args=(["2611.00001"],))
    first.start()
    while not source_server.requests("/api/query"):
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        arxiv.fetch_records(["2611.00002"])
    assert time.monotonic() - started < 1.0
    release.set()
    first.join()
    assert arxiv.fetch_records(["2611.00003"])[0] == []  # the slot is free again


def test_a_slow_arxiv_is_given_up_after_the_interactive_timeout(
    tmp_path: Path, source_server: LocalServer
) -> None:
    def stuck(seen: Seen) -> Answer:
        time.sleep(3)
        return DROP

    source_server.handler = stuck
    arxiv = client(tmp_path, source_server, arxiv_interactive_timeout=0.5, request_timeout=60)
    started = time.monotonic()
    with pytest.raises(SourceError, match="arXiv API: request failed"):
        arxiv.fetch_records(["2611.00001"])
    assert time.monotonic() - started < 2.0
    assert len(source_server.requests("/api/query")) == 1  # a timeout is not retried


def test_attempts_per_reader_are_bounded(tmp_path: Path, source_server: LocalServer) -> None:
    arxiv = client(tmp_path, source_server, arxiv_attempts_per_hour=2)
    arxiv.count_attempt(1)
    arxiv.count_attempt(1)
    with pytest.raises(TooManyRequests) as refused:
        arxiv.count_attempt(1)
    assert 3500 < refused.value.retry_after <= 3600
    arxiv.count_attempt(2)  # another reader has their own budget


def test_the_harvester_never_sleeps_holding_the_gate(source_server: LocalServer) -> None:
    """A harvester waiting for its slot must not make a web request wait behind it."""
    gate = gate_for(f"{source_server.url}/harvest")
    gate.wait_turn(2.0)
    sleeper = threading.Thread(target=gate.wait_turn, args=(2.0,))
    sleeper.start()  # sleeps ~2 s for its slot
    time.sleep(0.2)
    started = time.monotonic()
    assert gate.try_turn(2.0) > 0  # refused: the slots are taken...
    assert time.monotonic() - started < 0.1  # ...and told so at once
    sleeper.join()
