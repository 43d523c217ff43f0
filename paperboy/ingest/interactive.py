"""The arXiv client for web requests (submissions, library imports): it never waits.

The harvester's PoliteClient (``ingest/http.py``) sleeps for arXiv: 3 s between requests
and as long as a ``Retry-After`` says, up to minutes. A web request must not: it holds a
threadpool worker while it waits, and enough of them hold every worker, so every page of
the site waits with them. So the interactive client

* takes its turn at the same per-host gate as the harvester (arXiv's spacing holds for
  the whole process) but never waits for it: if the slot is taken it refuses at once;
* lets at most ``arxiv_interactive_concurrency`` lookups run at a time, refusing the rest;
* gives up after ``arxiv_interactive_timeout`` seconds and retries only a connection that
  could not be made (that request never reached arXiv), once;
* on 503/429 from arXiv holds the gate off for the ``Retry-After`` (so the harvester
  waits too) and refuses at once;
* bounds lookups per reader: ``arxiv_attempts_per_hour`` submissions and imports per
  account and hour, the failed ones included.

Each refusal is a ServiceUnavailable (503 with ``Retry-After``) or, over the per-reader
limit, TooManyRequests (429), raised before any worker waits.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager

import httpx

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.errors import ServiceUnavailable, SourceError, TooManyRequests
from paperboy.ingest.atom import Failure, arxiv_batches, normalize_ids
from paperboy.ingest.http import RETRY_STATUSES, gate_for, parse_retry_after

log = logging.getLogger("paperboy.ingest.interactive")

HOUR = 3600.0
BUSY_RETRY_AFTER = 5  # seconds a caller refused for concurrency is told to wait
PRUNE_AT = 10_000  # readers tracked before idle ones are dropped
BUSY = "arXiv is busy right now; please try again in a little while."


def _busy(seconds: float) -> ServiceUnavailable:
    return ServiceUnavailable(BUSY, retry_after=math.ceil(seconds))


class InteractiveClient:
    """One lookup's HTTP client: ``get`` returns a 2xx/3xx response or raises at once."""

    def __init__(self, settings: Settings) -> None:
        self.interval = settings.request_interval
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=settings.arxiv_interactive_timeout,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            gate = gate_for(url)
        except httpx.InvalidURL as exc:
            raise SourceError(f"arXiv API: invalid URL {url[:200]!r} ({exc})") from None
        wait = gate.try_turn(self.interval)
        if wait > 0:
            raise _busy(wait)
        for attempt in (1, 2):
            try:
                response = self._client.get(url, params=params)
            except httpx.ConnectError as exc:
                if attempt == 1:  # never reached arXiv: one more try costs it nothing
                    continue
                raise SourceError(f"arXiv API: cannot connect: {exc}") from None
            except httpx.HTTPError as exc:
                raise SourceError(
                    f"arXiv API: request failed: {str(exc) or type(exc).__name__}"
                ) from None
            break
        if response.status_code in RETRY_STATUSES:
            delay = parse_retry_after(response.headers.get("Retry-After"), self.interval)
            gate.hold_off(delay)
            log.warning(
                "arXiv API: HTTP %d, refusing lookups for %.1fs", response.status_code, delay
            )
            raise _busy(max(delay, 1.0))
        if response.status_code >= 400:
            raise SourceError(f"arXiv API: HTTP {response.status_code} {response.reason_phrase}")
        return response


class InteractiveArxiv:
    """The process's bounds on arXiv lookups made for web requests (one per app)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._slots = threading.BoundedSemaphore(settings.arxiv_interactive_concurrency)
        self._lock = threading.Lock()
        self._attempts: dict[int, deque[float]] = {}

    def count_attempt(self, user_id: int) -> None:
        """Count one lookup by the account; TooManyRequests when over the hourly limit
        (a refused attempt does not count)."""
        limit = self.settings.arxiv_attempts_per_hour
        now = time.monotonic()
        with self._lock:
            if len(self._attempts) > PRUNE_AT:
                self._prune(now)
            seen = self._attempts.setdefault(user_id, deque())
            while seen and seen[0] <= now - HOUR:
                seen.popleft()
            if len(seen) >= limit:
                wait = seen[0] + HOUR - now
                raise TooManyRequests(
                    f"You can ask paperboy to fetch papers from arXiv at most {limit} times "
                    "an hour (submissions and imports together); please try again later.",
                    retry_after=math.ceil(wait),
                )
            seen.append(now)

    def _prune(self, now: float) -> None:
        for user_id in [
            u for u, seen in self._attempts.items() if not seen or seen[-1] <= now - HOUR
        ]:
            del self._attempts[user_id]

    @contextmanager
    def client(self) -> Iterator[InteractiveClient]:
        """A client for one lookup; ServiceUnavailable at once when too many run."""
        if not self._slots.acquire(blocking=False):
            raise _busy(BUSY_RETRY_AFTER)
        client = InteractiveClient(self.settings)
        try:
            yield client
        finally:
            client.close()
            self._slots.release()

    def fetch_batches(
        self, ids: Iterable[str]
    ) -> Generator[tuple[list[str], list[PaperRecord], list[Failure]]]:
        """Fetch papers by id, a request's worth (100 ids) at a time: (batch, records,
        failures) per request. A later batch may be refused (ServiceUnavailable) when
        arXiv's spacing has not passed yet; the batches before it stay good."""
        wanted = normalize_ids(ids)
        with self.client() as client:
            yield from arxiv_batches(client, self.settings.arxiv_api_url, wanted)

    def fetch_records(self, ids: Iterable[str]) -> tuple[list[PaperRecord], list[Failure]]:
        """All records and failures of a lookup of up to one request's worth of ids."""
        records: list[PaperRecord] = []
        failures: list[Failure] = []
        for _, batch_records, batch_failures in self.fetch_batches(ids):
            records.extend(batch_records)
            failures.extend(batch_failures)
        return records, failures
