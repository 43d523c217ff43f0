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

from paperboy.arxiv import parse_arxiv_id
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaperboyError,
    SourceError,
    TooManyRequests,
)
from paperboy.ingest.atom import fetch_arxiv_records
from paperboy.store import Store, StoredPaper, StoredUser
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


class AlreadyOnPaperboy(Conflict):
    """The paper is already stored; ``paper`` is it, so the form can link to it."""

    def __init__(self, paper: StoredPaper) -> None:
        super().__init__("That paper is already on paperboy.")
        self.paper = paper


def submit_arxiv_paper(
    store: Store, settings: Settings, user: StoredUser, raw_id: str, *, now: datetime | None = None
) -> StoredPaper:
    """Fetch the paper from arXiv, store it on today's page and credit the submitter.

    The one implementation behind the form and ``POST /api/submissions``. Raises
    InvalidInput (malformed id, too old), AlreadyOnPaperboy (409), TooManyRequests (the
    daily limit), NotFound (arXiv does not know it) or SourceError (arXiv failed).
    """
    raw = raw_id.strip()
    try:
        arxiv_id, version = parse_arxiv_id(raw)
    except InvalidInput:
        raise InvalidInput(
            "That is not an arXiv id or URL (e.g. 2503.11731 or https://arxiv.org/abs/2503.11731)."
        ) from None
    existing = store.papers.get_paper(arxiv_id)
    if existing is not None:
        raise AlreadyOnPaperboy(existing)
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if store.submissions.count_submissions_since(user.id, midnight) >= settings.submissions_per_day:
        raise _daily_limit_reached(settings, now)  # early, before asking arXiv
    try:
        records, failures = fetch_arxiv_records(
            settings, [f"{arxiv_id}v{version}" if version else arxiv_id]
        )
    except SourceError as exc:
        log.warning("submission of %s: arXiv API failed: %s", arxiv_id, exc.detail)
        raise SourceError(
            "arXiv could not be reached or answered garbage; please try again later."
        ) from None
    if not records:
        log.info("submission of %s: not found at arXiv: %s", arxiv_id, failures)
        raise NotFound(f"arXiv does not know the paper {arxiv_id}.")
    record = records[0]
    oldest = now - timedelta(days=settings.submission_max_age_days)
    if record.submitted is not None and _naive_utc(record.submitted) < oldest:
        raise InvalidInput(
            f"Only papers submitted to arXiv in the last "
            f"{settings.submission_max_age_days} days can be submitted."
        )
    store.papers.upsert_papers(
        [dataclasses.replace(record, announced=now.date(), announced_estimated=False)]
    )
    stored = store.papers.get_paper(arxiv_id)
    assert stored is not None
    try:
        within = store.submissions.add_submission(
            stored.id, user.id, now=now, daily_limit=settings.submissions_per_day
        )
    except IntegrityError:  # a concurrent submission of the same paper won
        raise AlreadyOnPaperboy(stored) from None
    if not within:  # another submission of this account got in meanwhile
        raise _daily_limit_reached(settings, now)
    return stored


def _daily_limit_reached(settings: Settings, now: datetime) -> TooManyRequests:
    tomorrow = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return TooManyRequests(
        f"You can submit at most {settings.submissions_per_day} papers a day; "
        "try again tomorrow (UTC).",
        retry_after=int((tomorrow - now).total_seconds()) + 1,
    )


@router.post(PATH)
def submit_paper(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    paper_id: IdField = "",
) -> Response:
    """The form: the paper page on success, else the form again with the reason."""
    if user is None:
        return _to_sign_in()
    try:
        stored = submit_arxiv_paper(store, settings, user, paper_id)
    except AlreadyOnPaperboy as exc:
        return _form(request, exc.status, error=exc.detail, existing=exc.paper)
    except PaperboyError as exc:
        return _form(request, exc.status, error=exc.detail, paper_id=paper_id.strip())
    return RedirectResponse(f"/paper/{stored.arxiv_id}", status_code=303)
