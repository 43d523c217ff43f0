"""ASGI middleware that counts every HTTP answer and its latency for ``/metrics``.

Requests are labelled by their route's template (``/paper/{arxiv_id}``), never by the
raw path, so the number of time series stays bounded whatever clients ask for; a path
no route matches (404s, scanners) is one label, ``(unmatched)``. Answers made before
routing (a 429 of the rate limiter, a 413 of the body limit) are matched against the
routes here, so they count under their route too."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.metrics import UNMATCHED_ROUTE, in_progress, observe_request

log = logging.getLogger("paperboy.web")
# Methods outside this set (anything a client invents) are one label too.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too: FastAPI keeps an included router as
    one nested entry (its ``original_router``) rather than copying its routes."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        else:
            yield route


class RequestMetrics:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app, self._routes = app, routes
        self._flat: list[BaseRoute] | None = None  # made on first use: routes are complete

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler ends as a 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        method = scope.get("method", "GET")
        method = method if method in KNOWN_METHODS else "OTHER"
        try:
            with in_progress(method):
                await self.app(scope, receive, send_and_note)
        finally:
            try:
                observe_request(
                    method,
                    self.route_of(scope),
                    status,
                    time.perf_counter() - started,
                )
            except OSError:  # a vanished PROMETHEUS_MULTIPROC_DIR must not fail requests
                log.warning("could not record request metrics", exc_info=True)

    def route_of(self, scope: Scope) -> str:
        """The template of the route that answered (the router leaves it in the scope),
        else of the first route the path matches, else ``(unmatched)``."""
        route = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        if self._flat is None:
            self._flat = list(flat_routes(self._routes))
        partial = None
        for candidate in self._flat:
            match, _ = candidate.matches(scope)
            if match == Match.FULL:
                return str(getattr(candidate, "path", UNMATCHED_ROUTE))
            if match == Match.PARTIAL and partial is None:
                partial = str(getattr(candidate, "path", UNMATCHED_ROUTE))
        return partial or UNMATCHED_ROUTE
