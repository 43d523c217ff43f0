"""The rate limiter's bookkeeping: token buckets per (client, budget), and which API
tokens are live, remembered for a minute. Pure Python, thread-safe, clock injectable;
``ratelimit.py`` puts it in front of the API."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

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
        found = self._known.get(token_digest(token))
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def check(self, token: str) -> bool:
        """Look the token up (blocking: run it off the event loop) and remember it."""
        live = self.is_live(token)
        now = self.clock()
        if len(self._known) >= PRUNE_AT:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[token_digest(token)] = (live, now + TOKEN_CHECK_SECONDS)
        return live


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
