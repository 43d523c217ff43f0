"""Rate limits for the JSON API: one token bucket per client and budget, in process.

A client is its API token (hashed; requests with ``Authorization: Bearer``) or else its
address, so scripts behind one NAT keep separate budgets once they use tokens. Reads (GET,
HEAD) and writes (POST, PUT, PATCH, DELETE) have separate budgets: ``api_read_limit`` and
``api_write_limit`` requests per ``api_rate_window`` seconds, refilled evenly, so a client
may burst up to the limit and then goes at the average rate. Over budget, the API answers
429 in the usual error shape with ``Retry-After`` (whole seconds until one more request is
allowed); every limited answer carries ``X-RateLimit-Limit``/``-Remaining``/``-Reset``.

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

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.config import Settings

API_PREFIX = "/api/"
EXEMPT_PATHS = frozenset({"/api/health"})  # load balancers probe it often
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRUNE_AT = 10_000  # buckets kept before idle (full) ones are dropped


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

    def hit(self, client: str, budget: str) -> Decision:
        """Take one request from the client's budget if there is one left."""
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
            if allowed:
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


def client_key(scope: Scope) -> str:
    """The API token (hashed, never kept in memory in clear) or else the client address."""
    for name, value in scope.get("headers") or []:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


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

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(API_PREFIX) or path in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        budget = "read" if scope["method"] in READ_METHODS else "write"
        decision = self.limiter.hit(client_key(scope), budget)
        headers = _rate_headers(decision)
        if not decision.allowed:
            detail = (
                f"over the API {budget} limit of {decision.limit} requests per "
                f"{self.limiter.window:g} seconds; retry after {decision.retry_after} s"
            )
            error = {"status": 429, "title": "Too many requests", "detail": detail}
            response = JSONResponse({"error": error}, status_code=429)
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
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
        {"read": settings.api_read_limit, "write": settings.api_write_limit},
        settings.api_rate_window,
    )
