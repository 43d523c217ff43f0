"""The polite HTTP client against a real local server: spacing, Retry-After, retries."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from paperboy.config import Settings
from paperboy.errors import SourceError
from paperboy.ingest.http import MAX_RETRY_AFTER, PoliteClient, parse_retry_after
from tests.ingest.conftest import INTERVAL
from tests.ingest.source_server import DROP, Answer, Handler, LocalServer, Seen, gaps

# Arrival times are taken at the server: a request delayed in flight (the first pays
# for the TCP connect; a loaded machine schedules threads late) shortens the next gap
# by as much. Without spacing the gaps would be about a millisecond, so the check
# still proves it.
SLACK = 0.05
OK: Answer = (200, {"Content-Type": "text/plain"}, b"ok")


def scripted(*answers: Answer) -> Handler:
    """Answers ``answers`` in turn, then OK."""
    pending = iter(answers)

    def handler(seen: Seen) -> Answer:
        return next(pending, OK)

    return handler


def test_default_interval_is_three_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERBOY_REQUEST_INTERVAL", raising=False)
    monkeypatch.delenv("PAPERBOY_CONFIG", raising=False)
    settings = Settings()
    assert settings.request_interval == 3.0
    with PoliteClient(settings, source="arXiv") as client:
        assert client.interval == 3.0


def test_requests_are_spaced_and_carry_the_user_agent(
    source_server: LocalServer, source_settings: Settings
) -> None:
    source_server.handler = lambda seen: OK
    with PoliteClient(source_settings, source="test") as client:
        for n in range(4):
            assert client.get(f"{source_server.url}/x", {"n": str(n)}).text == "ok"
    seen = source_server.requests("/x")
    assert [s.query["n"] for s in seen] == ["0", "1", "2", "3"]
    assert min(gaps(seen)) >= INTERVAL - SLACK
    assert seen[0].headers["user-agent"] == source_settings.user_agent


def test_503_with_retry_after_is_obeyed_then_succeeds(
    source_server: LocalServer, source_settings: Settings
) -> None:
    source_server.handler = scripted((503, {"Retry-After": "1"}, b"busy"))
    with PoliteClient(source_settings, source="test") as client:
        assert client.get(f"{source_server.url}/x").text == "ok"
    seen = source_server.requests("/x")
    assert len(seen) == 2
    assert gaps(seen)[0] >= 1.0 - SLACK


def test_429_with_an_http_date_is_retried(
    source_server: LocalServer, source_settings: Settings
) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=1), usegmt=True)
    source_server.handler = scripted((429, {"Retry-After": soon}, b"slow down"))
    with PoliteClient(source_settings, source="test") as client:
        assert client.get(f"{source_server.url}/x").text == "ok"
    seen = source_server.requests("/x")
    assert len(seen) == 2 and gaps(seen)[0] >= INTERVAL - SLACK


def test_retry_after_values() -> None:
    assert parse_retry_after("1", 3.0) == 1.0
    assert parse_retry_after(" 2 ", 3.0) == 2.0
    assert parse_retry_after(None, 3.0) == 3.0
    assert parse_retry_after("soon", 3.0) == 3.0
    assert parse_retry_after("86400", 3.0) == MAX_RETRY_AFTER
    assert parse_retry_after("-5", 3.0) == 0.0
    past = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after(past, 3.0) == 0.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 27.0 <= parse_retry_after(later, 3.0) <= 30.0
    far = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    assert parse_retry_after(far, 3.0) == MAX_RETRY_AFTER


def test_gives_up_after_max_retries(source_server: LocalServer, source_settings: Settings) -> None:
    source_server.handler = lambda seen: (503, {"Retry-After": "0"}, b"busy")
    with (
        PoliteClient(source_settings, source="arXiv OAI-PMH") as client,
        pytest.raises(SourceError, match=r"arXiv OAI-PMH: HTTP 503 .* after 2 retries"),
    ):
        client.get(f"{source_server.url}/x")
    assert len(source_server.requests("/x")) == 1 + source_settings.max_retries


@pytest.mark.parametrize("status", [400, 404, 500])
def test_other_errors_fail_at_once_with_a_clear_message(
    source_server: LocalServer, source_settings: Settings, status: int
) -> None:
    source_server.handler = lambda seen: (status, {}, b"<html><h1>Nope</h1></html>")
    with (
        PoliteClient(source_settings, source="arXiv API") as client,
        pytest.raises(SourceError) as caught,
    ):
        client.get(f"{source_server.url}/x", {"id_list": "2501.00001"})
    assert caught.value.detail.startswith(f"arXiv API: HTTP {status} ")
    assert "/x?id_list=2501.00001" in caught.value.detail and "Nope" in caught.value.detail
    assert len(source_server.requests("/x")) == 1


def test_dropped_connection_is_retried_with_backoff(
    source_server: LocalServer, source_settings: Settings
) -> None:
    source_server.handler = scripted(DROP)
    with PoliteClient(source_settings, source="test") as client:
        assert client.get(f"{source_server.url}/x").text == "ok"
    seen = source_server.requests("/x")
    assert len(seen) == 2 and gaps(seen)[0] >= INTERVAL - SLACK


def test_unreachable_source_fails_after_retries(source_settings: Settings) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with (
        PoliteClient(source_settings, source="arXiv API") as client,
        pytest.raises(SourceError, match=r"failed \(3 attempts\)"),
    ):
        client.get(f"http://127.0.0.1:{port}/api/query")
    # Backoff: interval, then twice the interval.
    assert time.monotonic() - started >= 3 * INTERVAL - SLACK
