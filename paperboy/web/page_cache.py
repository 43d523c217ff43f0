"""Anonymous pages from memory: a signed-out reader gets the front page, a day, week or
month, trending, a paper page, a public feed or a public API listing from a per-process
cache keyed by URL, as long as nothing it shows has changed.

What is cached: GET of the paths in CACHED_PREFIXES and SEARCH_PATHS, from a request
without a session cookie or Authorization header, answered 200 without setting a cookie
(a page that hands out a CSRF token sets the session cookie, so it is never cached).
Private feeds and anything signed in are not cached. Popular searches repeat (a topic of
the day, a paper's title), and a search costs ~25 ms of CPU against ~0.1 ms for a hit.

When it is stale: the store's data marker (``Store.data_marker``: counters bumped in
the same transaction as votes, moderation, comments, picks, HF counts and star
snapshots, plus the papers' newest change and id) moves with any such write from any
process, and an entry made under another marker is not served. Search answers (the page,
the API and the search feeds) are kept under the search index's generation too
(``SearchService.generation``: a new keyword-index commit or new vectors), so a new paper
shows in a repeated search as soon as this node's index has it, not at the next expiry;
they get a quarter of the memory, apart, so one-off queries never push listings out.

The marker (and the generation) is read in a worker thread; under load at most once per
``page_cache_check_ms`` (a hit then costs no query and no thread hop: see docs/deploy.md
§9), and by one reader at a time (the others wait for that read), so a write by another
process shows within that time; a state change (any non-GET request) through this
process makes the next request read it again, so a reader sees their own write at once.
Entries also expire after ``page_cache_seconds`` (relative dates, the embedding warm-up).
With ``shared`` (``serve --workers N``), a page missing here is looked for among those
the other processes of the box rendered (``web/shared_pages.py``) before it is rendered.

Headers: every cacheable anonymous answer gets an ``ETag`` (the body's hash, or the
route's own) and ``Cache-Control: public, max-age=N`` with ``Vary: Cookie,
Authorization``, so a reverse proxy may keep it N seconds too (docs/operations.md);
``If-None-Match`` gets 304. Readers asking for a page while it is being rendered wait for
that render instead of starting their own (the front page under load, when its entry
expires). Bounded: at most ``page_cache_mb`` of bodies, least
recently used first out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.store import Store
from paperboy.web.shared_pages import SharedPages

log = logging.getLogger("paperboy.web.page_cache")
CACHED_PREFIXES = (
    "/day",
    "/week",
    "/month",
    "/trending",
    "/paper/",
    "/author/",
    "/feeds/author/",
    "/api/authors/",
    "/feeds/daily",
    "/feeds/trending",
    "/feeds/category/",
    "/api/feed",
    "/api/trending",
    "/api/papers/",
    "/api/daily_papers",
)
# Search answers, kept apart (a share of the memory, so that a stream of one-off
# queries never pushes the listings out) and under the search index's generation too.
SEARCH_PATHS = frozenset({"/search", "/api/search", "/feeds/search.rss", "/feeds/search.atom"})
SEARCH_SHARE = 0.25
MAX_BODY = 2 * 1024 * 1024  # larger answers are served but not kept
FILL_WAIT = 10.0  # seconds a reader waits for another's render of the same page
# Headers this middleware sets itself (or that describe one transfer only).
_HEADERS_REPLACED = frozenset({b"content-length", b"etag", b"cache-control", b"vary", b"date"})


@dataclass(frozen=True, slots=True)
class _Entry:
    marker: Hashable  # the data marker, with the search generation for search answers
    stored: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    cache_control: bytes


def cacheable_path(path: str) -> bool:
    return path == "/" or path.startswith(CACHED_PREFIXES)


@dataclass(slots=True)
class _Partition:
    """Entries least recently used first, within ``max_bytes`` of bodies."""

    max_bytes: int
    entries: OrderedDict[bytes, _Entry] = field(default_factory=OrderedDict)
    size: int = 0

    def drop(self, key: bytes) -> None:
        gone = self.entries.pop(key, None)
        if gone is not None:
            self.size -= len(gone.body)

    def put(self, key: bytes, entry: _Entry) -> None:
        self.drop(key)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.entries:
            self.drop(next(iter(self.entries)))


class AnonymousPageCache:
    """ASGI middleware: see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: Store,
        seconds: float,
        max_bytes: int,
        session_cookie: str,
        proxy_seconds: int,
        check_seconds: float = 0.0,
        generation: Callable[[], Hashable] | None = None,
        shared: SharedPages | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.seconds = seconds
        self.check_seconds = check_seconds
        # What search answers also depend on (``SearchService.generation``); without
        # it, search answers are not cached.
        self.generation = generation
        self.shared = shared  # pages rendered by the other processes of this box
        self._marker: tuple[Hashable, Hashable] | None = None  # (data, search generation)
        self._marker_read = 0.0  # time.monotonic() of the read that gave _marker
        self._written = 0.0  # when a state change through this process last finished
        # The marker read under way, if any: (its loop, when it began, the task).
        self._reading: (
            tuple[asyncio.AbstractEventLoop, float, asyncio.Task[tuple[Hashable, Hashable]]] | None
        ) = None
        self._pages = _Partition(max_bytes - int(max_bytes * SEARCH_SHARE))
        self._searches = _Partition(int(max_bytes * SEARCH_SHARE))
        self.cookie = session_cookie.encode() + b"="
        self.cache_control = f"public, max-age={proxy_seconds}".encode()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.shared_hits = 0  # hits served from a page another process rendered
        # Pages being rendered now, so that a burst of readers asking for the same page
        # (the front page when its entry expires, under 50 clients) renders it once.
        self._filling: dict[bytes, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            try:
                await self.app(scope, receive, send)
            finally:
                if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
                    # This process may have written: the next request reads it again.
                    self._marker, self._written = None, time.monotonic()
            return
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        data, generation = await self._current_marker()
        marker: Hashable = (data, generation) if scope["path"] in SEARCH_PATHS else data
        entry = self._get(key, marker)
        if entry is None and await self._await_filling(key):
            entry = self._get(key, marker)
        if entry is None and self.shared is not None and scope["path"] not in SEARCH_PATHS:
            entry = self._from_shared(key, marker)
        if entry is not None:
            self.hits += 1
            await self._replay(scope, send, entry)
            return
        self.misses += 1
        loop, done = asyncio.get_running_loop(), asyncio.Event()
        self._filling.setdefault(key, (loop, done))
        try:
            await self._fill(scope, receive, send, key, marker)
        finally:
            if self._filling.get(key) == (loop, done):
                del self._filling[key]
            done.set()

    async def _await_filling(self, key: bytes) -> bool:
        """Wait (up to FILL_WAIT seconds) for a render of ``key`` already under way."""
        filling = self._filling.get(key)
        if filling is None or filling[0] is not asyncio.get_running_loop():
            return False
        try:
            await asyncio.wait_for(filling[1].wait(), FILL_WAIT)
        except TimeoutError:
            return False
        return True

    async def _current_marker(self) -> tuple[Hashable, Hashable]:
        marker, read = self._marker, self._marker_read
        if marker is not None and time.monotonic() - read < self.check_seconds:
            return marker
        loop = asyncio.get_running_loop()
        reading = self._reading
        # One read at a time: when the marker goes stale under 50 clients, they all wait
        # for the same read rather than each taking a worker thread (measured: 40
        # threads reading at once every 250 ms gave every cached page a p90 of 35 ms).
        # A read begun before this process's last write is not joined.
        if (
            self.check_seconds > 0
            and reading is not None
            and reading[0] is loop
            and reading[1] >= self._written
        ):
            return await asyncio.shield(reading[2])
        began = time.monotonic()
        task = loop.create_task(self._read_marker(began))
        self._reading = (loop, began, task)
        return await asyncio.shield(task)

    def _read_both(self) -> tuple[Hashable, Hashable]:
        data = self.store.data_marker()
        if self.generation is None:
            return data, None
        try:
            generation = self.generation()
        except Exception:  # a broken search index must not take the listings down
            log.exception("reading the search generation failed; searches go uncached")
            generation = object()  # equal to nothing: no search entry is served
        return data, generation

    async def _read_marker(self, began: float) -> tuple[Hashable, Hashable]:
        try:
            marker = await run_in_threadpool(self._read_both)
        finally:
            if self._reading is not None and self._reading[1] == began:
                self._reading = None
        if began >= self._written:  # (a read begun before a write is not kept)
            self._marker, self._marker_read = marker, began
        return marker

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if not cacheable_path(scope["path"]) and not (
            self.generation is not None and scope["path"] in SEARCH_PATHS
        ):
            return False
        for name, value in scope.get("headers") or []:
            if name == b"authorization":
                return False
            if name == b"cookie" and self.cookie in value:
                return False
        return True

    def _from_shared(self, key: bytes, marker: Hashable) -> _Entry | None:
        # Inline, not in a thread: one read of a file the OS has in memory (~50 us).
        assert self.shared is not None
        found = self.shared.load(key, marker)
        if found is None:
            return None
        headers, body, etag, control, age = found
        entry = _Entry(marker, time.monotonic() - age, headers, body, etag, control)
        self._put(key, entry)
        self.shared_hits += 1
        return entry

    def _partition(self, key: bytes) -> _Partition:
        return self._searches if key.split(b"?", 1)[0].decode() in SEARCH_PATHS else self._pages

    def _get(self, key: bytes, marker: Hashable) -> _Entry | None:
        part = self._partition(key)
        with self._lock:
            entry = part.entries.get(key)
            if entry is None:
                return None
            if entry.marker != marker or time.monotonic() - entry.stored > self.seconds:
                part.drop(key)
                return None
            part.entries.move_to_end(key)
            return entry

    def _put(self, key: bytes, entry: _Entry) -> None:
        with self._lock:
            self._partition(key).put(key, entry)

    def clear(self) -> None:
        with self._lock:
            for part in (self._pages, self._searches):
                part.entries.clear()
                part.size = 0

    def _headers(self, entry: _Entry, length: int) -> list[tuple[bytes, bytes]]:
        return [
            *entry.headers,
            (b"etag", entry.etag),
            (b"cache-control", entry.cache_control),
            (b"vary", b"Cookie, Authorization"),
            (b"content-length", str(length).encode()),
        ]

    async def _replay(self, scope: Scope, send: Send, entry: _Entry) -> None:
        if _matches(scope, entry.etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [
                        (b"etag", entry.etag),
                        (b"cache-control", entry.cache_control),
                        (b"vary", b"Cookie, Authorization"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers = self._headers(entry, len(entry.body))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _fill(
        self, scope: Scope, receive: Receive, send: Send, key: bytes, marker: Hashable
    ) -> None:
        """Run the app, collecting a cacheable 200 in full; anything else streams through."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def collect(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                if message["status"] != 200 or any(_private(n, v) for n, v in headers):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY and start is not None:  # too big to keep: stream it
                passing = True
                await send(start)
                await send({**message, "body": b"".join(chunks)})
                return
            if not message.get("more_body", False) and start is not None:
                await self._finish(scope, send, key, marker, start, b"".join(chunks))

        await self.app(scope, receive, collect)

    async def _finish(
        self,
        scope: Scope,
        send: Send,
        key: bytes,
        marker: Hashable,
        start: Message,
        body: bytes,
    ) -> None:
        headers = [(n.lower(), v) for n, v in start.get("headers") or []]
        own = next((v for n, v in headers if n == b"etag"), None)
        etag = own or b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        kept = [(n, v) for n, v in headers if n not in _HEADERS_REPLACED]
        # A route that chose its own Cache-Control (the feeds, /paper/{id}.md) keeps it.
        control = next((v for n, v in headers if n == b"cache-control"), self.cache_control)
        entry = _Entry(marker, time.monotonic(), kept, body, etag, control)
        self._put(key, entry)
        if self.shared is not None and self._partition(key) is self._pages:
            self.shared.save(key, marker, kept, body, etag, control)
        await self._replay(scope, send, entry)


def _private(name: bytes, value: bytes) -> bool:
    """An answer that must not be shared: it sets a cookie or says so itself."""
    name = name.lower()
    if name == b"set-cookie":
        return True
    return name == b"cache-control" and (b"no-store" in value or b"private" in value)


def _matches(scope: Scope, etag: bytes) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"if-none-match":
            return etag in [v.strip() for v in value.split(b",")] or value.strip() == b"*"
    return False
