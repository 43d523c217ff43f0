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

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web.buckets import Decision, RateLimiter, TokenChecks, token_digest

API_PREFIX = "/api/"
EXEMPT_PATHS = frozenset({"/api/health"})  # load balancers probe it often
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        return "token:" + token_digest(token) if live else address

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
