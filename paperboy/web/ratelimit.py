"""Rate limits for the JSON API: one token bucket per client and budget, in process.

A client is its API token (a live one, sent as ``Authorization: Bearer``) or else its
address, so scripts behind one NAT keep separate budgets once they use tokens. Reads (GET,
HEAD) and writes (POST, PUT, PATCH, DELETE) have separate budgets: ``api_read_limit`` and
``api_write_limit`` requests per ``api_rate_window`` seconds, refilled evenly, so a client
may burst up to the limit and then goes at the average rate. Over budget, the API answers
429 in the usual error shape with ``Retry-After`` (whole seconds until one more request is
allowed); every limited answer carries ``X-RateLimit-Limit``/``-Remaining``/``-Reset``.

Only a live token gets its own budget: otherwise a client could dodge its address's
budget with a made-up token per request. Whether a token is live is looked up once a
minute per token (``TOKEN_CHECK_SECONDS``); an unknown or revoked one counts against the
address, and each lookup that finds a dead token costs the address one unit of a third
budget, ``bad_token`` (as large as the write budget). While that is empty the address's
requests with tokens not looked up lately get 429 before any lookup, so made-up tokens
cannot turn into a stream of database queries either. (A client that sends a foreign
token with every request, as Hugging Face clients send their HF token, costs one lookup
a minute.)

In process means per worker: with N worker processes a client gets up to N times the
budget. That bounds abuse of one paperboy process, which is what this is for; a shared
limit across hosts belongs in the reverse proxy.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.config import Settings
from paperboy.store import Store

API_PREFIX = "/api/"
EXEMPT_PATHS = frozenset({"/api/health"})  # load balancers probe it often
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRUNE_AT = 10_000  # buckets (and token checks) kept before stale ones are dropped
TOKEN_CHECK_SECONDS = 60.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until one more request is allowed (0 when allowed)
    reset: int  # seconds until the budget is full again


class RateLimiter:
    """Token buckets keyed by (client, budget). Thread-safe; the clock is injectable."""

    def __init__(
        self,
        limits: dict[str, int],
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.window = window
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def hit(self, client: str, budget: str, *, take: bool = True) -> Decision:
        """Take one request from the client's budget if there is one left (with
        ``take=False`` only look)."""
        limit = self.limits[budget]
        rate = limit / self.window  # requests per second
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get((client, budget))
            if bucket is None:
                if len(self._buckets) >= PRUNE_AT:
                    self._prune(now)
                bucket = self._buckets[(client, budget)] = _Bucket(float(limit), now)
            bucket.tokens = min(limit, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            allowed = bucket.tokens >= 1.0
            if allowed and take:
                bucket.tokens -= 1.0
            tokens = bucket.tokens
        retry_after = 0 if allowed else max(1, math.ceil((1.0 - tokens) / rate))
        reset = math.ceil((limit - tokens) / rate)
        return Decision(allowed, limit, math.floor(tokens), retry_after, reset)

    def _prune(self, now: float) -> None:
        """Drop buckets that have refilled completely: forgetting them changes nothing."""
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.limits[key[1]] / self.window
            >= self.limits[key[1]]
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def address_key(scope: Scope) -> str:
    """The client's address: behind a proxy in ``forwarded_allow_ips`` uvicorn has put
    the real client's (from ``X-Forwarded-For``) here; from anyone else the header is
    ignored."""
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


def bearer_of(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class TokenChecks:
    """Whether a token is live, remembered for TOKEN_CHECK_SECONDS under its hash (the
    plaintext is not kept)."""

    def __init__(
        self, is_live: Callable[[str], bool], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.is_live = is_live
        self.clock = clock
        self._known: dict[str, tuple[bool, float]] = {}

    def cached(self, token: str) -> bool | None:
        found = self._known.get(_digest(token))
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def check(self, token: str) -> bool:
        """Look the token up (blocking: run it off the event loop) and remember it."""
        live = self.is_live(token)
        now = self.clock()
        if len(self._known) >= PRUNE_AT:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[_digest(token)] = (live, now + TOKEN_CHECK_SECONDS)
        return live


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _too_many(detail: str, headers: list[tuple[bytes, bytes]]) -> JSONResponse:
    error = {"status": 429, "title": "Too many requests", "detail": detail}
    response = JSONResponse({"error": error}, status_code=429)
    response.raw_headers.extend(headers)
    return response


def _rate_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(decision.remaining).encode()),
        (b"x-ratelimit-reset", str(decision.reset).encode()),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", str(decision.retry_after).encode()))
    return headers


class RateLimitMiddleware:
    """Applies a RateLimiter to /api/ requests (all but EXEMPT_PATHS)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, store: Store) -> None:
        self.app = app
        self.limiter = limiter
        self.tokens = TokenChecks(lambda t: store.tokens.user_for_token("api", t) is not None)

    async def _client(self, scope: Scope) -> str | None:
        """The budget's owner: a live token, else the address; None when the address
        sent too many dead tokens lately."""
        address = address_key(scope)
        token = bearer_of(scope)
        if token is None:
            return address
        live = self.tokens.cached(token)
        if live is None:
            if not self.limiter.hit(address, "bad_token", take=False).allowed:
                return None
            live = await run_in_threadpool(self.tokens.check, token)
            if not live:  # each lookup of a dead token costs; a remembered one does not
                self.limiter.hit(address, "bad_token")
        return "token:" + _digest(token) if live else address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX) or path in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = await self._client(scope)
        if client is None:
            guard = self.limiter.hit(address_key(scope), "bad_token", take=False)
            detail = (
                "too many requests with unknown or revoked API tokens from this "
                f"address; retry after {guard.retry_after} s"
            )
            await _too_many(detail, _rate_headers(guard))(scope, receive, send)
            return
        budget = "read" if scope["method"] in READ_METHODS else "write"
        decision = self.limiter.hit(client, budget)
        headers = _rate_headers(decision)
        if not decision.allowed:
            detail = (
                f"over the API {budget} limit of {decision.limit} requests per "
                f"{self.limiter.window:g} seconds; retry after {decision.retry_after} s"
            )
            await _too_many(detail, headers)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def limiter_for(settings: Settings) -> RateLimiter | None:
    """The API's limiter, or None when ``api_rate_limit`` is off."""
    if not settings.api_rate_limit:
        return None
    return RateLimiter(
        {
            "read": settings.api_read_limit,
            "write": settings.api_write_limit,
            "bad_token": settings.api_write_limit,
        },
        settings.api_rate_window,
    )
