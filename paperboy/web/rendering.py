"""Jinja2 environment (autoescape on everywhere) and the render helper."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from paperboy import __version__
from paperboy.community.counts import upvote_sources
from paperboy.web.auth import csrf_token, get_current_user
from paperboy.web.sparkline import sparkline_svg

TEMPLATES_DIR = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,  # every template, whatever its extension
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt_date(value: date | datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def _authors_short(authors: list[str], limit: int = 6) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + f" and {len(authors) - limit} more"


def _paragraphs(text: str | None) -> list[str]:
    return [p for p in (text or "").split("\n\n") if p.strip()]


env.filters["fmt_date"] = _fmt_date
env.filters["authors_short"] = _authors_short
env.filters["paragraphs"] = _paragraphs
env.filters["sparkline"] = sparkline_svg  # a VoteView trend as an inline SVG
env.globals["version"] = __version__
env.globals["upvote_sources"] = upvote_sources


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
