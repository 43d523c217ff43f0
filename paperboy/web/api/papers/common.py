"""What every route of the papers API shares: the router and the documented errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from paperboy.web.api.schemas import (
    ErrorOut,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Unknown or revoked API token"},
    403: {"model": ErrorOut, "description": "Not signed in (no token), or no CSRF token"},
    404: {"model": ErrorOut, "description": "Unknown paper"},
    422: {"model": ErrorOut, "description": "Invalid parameter"},
    429: {
        "model": ErrorOut,
        "description": "Over a rate limit; retry after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


MAX_TRENDING_PAGE = 50  # trending ranks the window's candidates in memory: a bounded depth


WRITE_ERRORS: dict[int | str, dict[str, Any]] = {c: ERRORS[c] for c in (401, 403, 429)}


router = APIRouter(prefix="/api", tags=["papers"], responses={422: ERRORS[422]})
