"""Searches take turns: at most ``search_concurrency`` run at once per process, a search
whose reader has left is not run, and one that waits too long gets 503 + Retry-After.

The search itself is the real one; the tests only slow it down (a sleep before it
runs) to hold a turn long enough to watch, and count how many run at once."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import served


class _Watched:
    """Wraps the app's search: counts searches running at once, and the queries run."""

    def __init__(self, search: SearchService, pause: float) -> None:
        self.inner, self.pause = search.search, pause
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.queries: list[str] = []

    def __call__(self, pq: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.queries.append(pq.text)
        try:
            time.sleep(self.pause)
            return self.inner(pq, **kwargs)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def gated(settings: Settings, loaded_store: Store) -> Iterator[tuple[Any, _Watched]]:
    # No page cache: every request is a search (a repeated one would be a hit).
    app = create_app(
        settings.model_copy(
            update={"search_concurrency": 1, "search_wait_seconds": 5, "page_cache_seconds": 0}
        ),
        loaded_store,
    )
    watched = _Watched(app.state.search, pause=0.2)
    app.state.search.search = watched  # type: ignore[method-assign]
    yield app, watched


async def _burst(app: Any, paths: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return list(await asyncio.gather(*(c.get(p) for p in paths)))


def test_searches_take_turns(gated: tuple[Any, _Watched]) -> None:
    app, watched = gated
    paths = [f"/api/search?q=graph+{n}" for n in range(4)] + ["/search?q=time+series"]
    answers = asyncio.run(_burst(app, paths))
    assert [a.status_code for a in answers] == [200] * 5
    assert len(watched.queries) == 5 and watched.most == 1


def test_a_search_waiting_too_long_is_told_to_come_back(gated: tuple[Any, _Watched]) -> None:
    app, watched = gated
    app.state.search_gate.wait_seconds = 0.3  # one turn of 0.2 s fits, not three
    answers = asyncio.run(_burst(app, [f"/api/search?q=graph+{n}" for n in range(4)]))
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and codes[-1] == 503, codes
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "5"
    assert "too many searches" in busy.json()["error"]["detail"]
    assert watched.most == 1


def test_a_search_whose_reader_left_is_not_run(gated: tuple[Any, _Watched]) -> None:
    app, watched = gated
    watched.pause = 1.0
    with served(app) as base:
        host, port = base.removeprefix("http://").split(":")
        holder = threading.Thread(target=httpx.get, args=(f"{base}/api/search?q=first",))
        holder.start()
        deadline = time.monotonic() + 5
        while not watched.queries and time.monotonic() < deadline:
            time.sleep(0.01)
        # A reader asks while the turn is taken, then closes the connection.
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"GET /api/search?q=second HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.2)
        holder.join(timeout=10)
        time.sleep(0.3)
        third = httpx.get(f"{base}/api/search?q=third", timeout=10)
    assert third.status_code == 200
    assert watched.queries == ["first", "third"]
