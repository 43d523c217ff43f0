"""Jinja2 environment (autoescape on everywhere) and the render helper. Filters and
globals are registered by ``template_globals`` when the app is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from paperboy.web.auth import csrf_token, get_current_user

TEMPLATES_DIR = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every template, whatever its extension
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page. Every template gets ``current_user`` (None when signed out) and
    ``csrf_token()``, which forms put in their hidden ``csrf_token`` field."""
    context.setdefault("current_user", get_current_user(request))
    html = env.get_template(template).render(
        request=request, csrf_token=lambda: csrf_token(request), **context
    )
    return HTMLResponse(html, status_code=status_code)
