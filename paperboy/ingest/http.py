"""A polite HTTP client for paper sources (arXiv OAI-PMH and API, Hugging Face).

arXiv asks for at most one request every 3 seconds across its interfaces and throttles
with ``503 Retry-After``. So the client

* starts two requests to the same host at least ``settings.request_interval`` seconds
  apart (the gate is per host and per process, so an OAI harvest and an API fetch in
  the same process share it);
* on 503 and 429 waits as long as ``Retry-After`` says (seconds or an HTTP date, at
  most ``MAX_RETRY_AFTER``; the interval when absent) and tries again, up to
  ``settings.max_retries`` times;
* retries network errors (refused or dropped connections, timeouts) with exponential
  backoff;
* turns any other 4xx/5xx, and exhausted retries, into a SourceError.

This client is for the harvester and the CLI. Web requests use the interactive client
(``ingest/interactive.py``), which shares the gate but never waits at it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx

from paperboy.config import Settings
from paperboy.errors import SourceError

log = logging.getLogger("paperboy.ingest.http")

MAX_RETRY_AFTER = 300.0  # seconds; a longer Retry-After is capped to this
MAX_BACKOFF = 300.0
MIN_BACKOFF = 0.1
RETRY_STATUSES = frozenset({429, 503})
_BODY_SNIPPET = 200


class _Gate:
    """Spaces the start of consecutive requests to one host."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.not_before = 0.0  # time.monotonic() before which no request may start

    def wait_turn(self, interval: float) -> None:
        """Reserve the next slot and sleep until it comes, outside the lock: a caller
        that must not wait (``try_turn``) is never held behind a sleeping one."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.not_before)
            self.not_before = start + interval
        if start > now:
            time.sleep(start - now)

    def try_turn(self, interval: float) -> float:
        """Take the slot if it is free now (0.0); else the seconds until it is, untaken."""
        with self.lock:
            now = time.monotonic()
            if self.not_before > now:
                return self.not_before - now
            self.not_before = now + interval
            return 0.0

    def hold_off(self, seconds: float) -> None:
        """No request to this host before ``seconds`` from now (a Retry-After)."""
        with self.lock:
            self.not_before = max(self.not_before, time.monotonic() + seconds)


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def gate_for(url: str) -> _Gate:
    """The gate of the URL's host, shared by every client in the process."""
    host = httpx.URL(url).netloc.decode("ascii", "replace").lower()
    with _gates_lock:
        return _gates.setdefault(host, _Gate())


def parse_retry_after(value: str | None, default: float) -> float:
    """Seconds to wait for a ``Retry-After`` header (delta seconds or HTTP date).

    Missing or unreadable values give ``default``; the result is capped at
    ``MAX_RETRY_AFTER`` and never negative.
    """
    if value is None or not value.strip():
        return min(default, MAX_RETRY_AFTER)
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return min(default, MAX_RETRY_AFTER)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return min(default, MAX_RETRY_AFTER)
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def _snippet(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.HTTPError):
        return ""
    text = " ".join(text.split())[:_BODY_SNIPPET]
    return f": {text}" if text else ""


class PoliteClient:
    """Synchronous HTTP client for one source. Use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        source: str,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
        pass_statuses: frozenset[int] = frozenset(),
    ) -> None:
        self.source = source
        self.retry_statuses = retry_statuses
        self.pass_statuses = pass_statuses  # 4xx/5xx answers returned to the caller
        self.interval = settings.request_interval
        self.max_retries = settings.max_retries
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=settings.request_timeout,
            follow_redirects=True,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _backoff(self, attempt: int) -> float:
        return min(max(self.interval, MIN_BACKOFF) * 2.0**attempt, MAX_BACKOFF)

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET ``url``; the response is a 2xx/3xx one (or in ``pass_statuses``), else
        SourceError.
        ``headers`` (e.g. ``If-None-Match``) are sent with this request only."""
        try:
            gate = gate_for(url)
            shown = url if not params else str(httpx.URL(url, params=dict(params)))
        except httpx.InvalidURL as exc:
            raise SourceError(f"{self.source}: invalid URL {url[:200]!r} ({exc})") from None
        attempt = 0
        while True:
            gate.wait_turn(self.interval)
            try:
                response = self._client.get(url, params=params, headers=headers)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise SourceError(
                        f"{self.source}: request to {shown} failed "
                        f"({attempt + 1} attempt{'s' if attempt else ''}): "
                        f"{str(exc) or type(exc).__name__}"
                    ) from None
                delay = self._backoff(attempt)
                log.warning(
                    "%s: %s (%s); retrying in %.1fs",
                    self.source,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                gate.hold_off(delay)
                attempt += 1
                continue
            except httpx.HTTPError as exc:  # e.g. too many redirects: retrying won't help
                raise SourceError(f"{self.source}: request to {shown} failed: {exc}") from None
            if response.status_code in self.retry_statuses:
                if attempt >= self.max_retries:
                    raise SourceError(
                        f"{self.source}: HTTP {response.status_code} from {shown}, "
                        f"still after {attempt} retries"
                    )
                delay = parse_retry_after(response.headers.get("Retry-After"), self.interval)
                log.warning(
                    "%s: HTTP %d, retrying in %.1fs", self.source, response.status_code, delay
                )
                gate.hold_off(delay)
                attempt += 1
                continue
            if response.status_code >= 400 and response.status_code not in self.pass_statuses:
                raise SourceError(
                    f"{self.source}: HTTP {response.status_code} "
                    f"{response.reason_phrase} from {shown}{_snippet(response)}"
                )
            return response
