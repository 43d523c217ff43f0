"""One error shape for the whole site: ``{"error": {"status", "title", "detail"}}`` for
the API and JSON clients, the error page for browsers; and the handlers that turn
exceptions into it."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperboy.errors import PaperboyError, SignInRequired
from paperboy.web.rendering import render

log = logging.getLogger("paperboy.web")


def error_response(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"status": status, "title": title, "detail": detail}}, status_code=status
    )


def _wants_html(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML unless the client asks only for JSON."""
    if request.url.path.startswith("/api"):
        return False
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


async def _error(request: Request, status: int, title: str, detail: str) -> Response:
    if _wants_html(request):
        # The page's header looks up the signed-in reader in the database: run it in
        # the threadpool, as routes do, so an error never blocks the event loop.
        page: Response = await run_in_threadpool(
            render,
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )
        return page
    return error_response(status, title, detail)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PaperboyError)
    async def paperboy_error(request: Request, exc: PaperboyError) -> Response:
        if isinstance(exc, SignInRequired) and _wants_html(request):
            target = "/signin?" + urlencode({"next": exc.next_path})
            return RedirectResponse(target, status_code=303)
        response = await _error(request, exc.status, exc.title, exc.detail)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return await _error(request, 422, "Invalid input", "; ".join(parts) or "invalid input")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}
        detail = "no such page" if exc.status_code == 404 else str(exc.detail)
        return await _error(request, exc.status_code, titles.get(exc.status_code, "Error"), detail)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return await _error(request, 500, "Internal error", "something went wrong on our side")
