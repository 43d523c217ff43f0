"""Reader submissions: a signed-in reader adds a paper by arXiv id or URL at /submit.

paperboy fetches the paper's metadata from the arXiv API (``settings.arxiv_api_url``),
stores it with the store's upsert and puts it on today's page (announced = today) with
"submitted by <display name>". Every refusal is shown on the form with a 4xx (or 502
when arXiv cannot be reached): a malformed id, a paper already on paperboy, a paper
submitted to arXiv more than ``submission_max_age_days`` ago, more than
``submissions_per_day`` per account per UTC day, an id arXiv does not know. A plain
form (CSRF-checked app-wide) that answers 303 to the paper page, so no JavaScript.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from paperboy.errors import InvalidInput, SourceError
from paperboy.ingest.atom import fetch_arxiv_records
from paperboy.ingest.records import parse_arxiv_id
from paperboy.store.accounts import utcnow
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import SettingsDep, StoreDep
from paperboy.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PATH = "/submit"
IdField = Annotated[str, Form(max_length=500)]


def _form(
    request: Request, status: int = 200, *, error: str | None = None, **context: Any
) -> HTMLResponse:
    context.setdefault("paper_id", "")
    context.setdefault("existing", None)
    return render(request, "submit.html", {"error": error, **context}, status_code=status)


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/signin?" + urlencode({"next": PATH}), status_code=303)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@router.get(PATH)
def submit_page(request: Request, user: CurrentUser) -> Response:
    if user is None:
        return _to_sign_in()
    return _form(request)


@router.post(PATH)
def submit_paper(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    paper_id: IdField = "",
) -> Response:
    """Fetch the paper from arXiv, store it on today's page and credit the submitter."""
    if user is None:
        return _to_sign_in()
    raw = paper_id.strip()
    try:
        arxiv_id, version = parse_arxiv_id(raw)
    except InvalidInput:
        return _form(
            request,
            422,
            error="That is not an arXiv id or URL (e.g. 2503.11731 or "
            "https://arxiv.org/abs/2503.11731).",
            paper_id=raw,
        )
    existing = store.get_paper(arxiv_id)
    if existing is not None:
        return _form(request, 409, error="That paper is already on paperboy.", existing=existing)
    now = utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if store.count_submissions_since(user.id, midnight) >= settings.submissions_per_day:
        return _form(
            request,
            429,
            error=f"You can submit at most {settings.submissions_per_day} papers a day; "
            "try again tomorrow (UTC).",
            paper_id=raw,
        )
    try:
        records, failures = fetch_arxiv_records(
            settings, [f"{arxiv_id}v{version}" if version else arxiv_id]
        )
    except SourceError as exc:
        log.warning("submission of %s: arXiv API failed: %s", arxiv_id, exc.detail)
        return _form(
            request,
            502,
            error="arXiv could not be reached or answered garbage; please try again later.",
            paper_id=raw,
        )
    if not records:
        log.info("submission of %s: not found at arXiv: %s", arxiv_id, failures)
        return _form(request, 404, error=f"arXiv does not know the paper {arxiv_id}.", paper_id=raw)
    record = records[0]
    oldest = now - timedelta(days=settings.submission_max_age_days)
    if record.submitted is not None and _naive_utc(record.submitted) < oldest:
        return _form(
            request,
            422,
            error=f"Only papers submitted to arXiv in the last "
            f"{settings.submission_max_age_days} days can be submitted.",
            paper_id=raw,
        )
    store.upsert_papers(
        [dataclasses.replace(record, announced=now.date(), announced_estimated=False)]
    )
    stored = store.get_paper(arxiv_id)
    assert stored is not None
    try:
        store.add_submission(stored.id, user.id, now=now)
    except IntegrityError:  # a concurrent submission of the same paper won
        return _form(request, 409, error="That paper is already on paperboy.", existing=stored)
    return RedirectResponse(f"/paper/{stored.arxiv_id}", status_code=303)
