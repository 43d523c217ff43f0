"""Reader submissions: a signed-in reader adds a paper by arXiv id or URL.

paperboy fetches the paper's metadata from the arXiv API with the interactive client (it
never waits for arXiv; see ``ingest/interactive.py``), stores it on today's page
(announced = today) and credits the submitter, paper and submission in one transaction.
The rules: a readable id, a paper not yet on paperboy, submitted to arXiv at most
``submission_max_age_days`` ago, at most ``submissions_per_day`` per account per UTC day,
and at most ``arxiv_attempts_per_hour`` arXiv lookups per account (failures count too).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from paperboy.arxiv import parse_arxiv_id
from paperboy.clock import utc_naive, utcnow
from paperboy.config import Settings
from paperboy.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    SourceError,
    TooManyRequests,
)
from paperboy.ingest.interactive import InteractiveArxiv
from paperboy.store import Store, StoredPaper, StoredUser

log = logging.getLogger(__name__)


class AlreadyOnPaperboy(Conflict):
    """The paper is already stored; ``paper`` is it, so the form can link to it."""

    def __init__(self, paper: StoredPaper) -> None:
        super().__init__("That paper is already on paperboy.")
        self.paper = paper


def _daily_limit_reached(settings: Settings, now: datetime) -> TooManyRequests:
    tomorrow = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return TooManyRequests(
        f"You can submit at most {settings.submissions_per_day} papers a day; "
        "try again tomorrow (UTC).",
        retry_after=int((tomorrow - now).total_seconds()) + 1,
    )


def _already_there(store: Store, arxiv_id: str) -> AlreadyOnPaperboy | None:
    paper = store.papers.get_paper(arxiv_id)
    return AlreadyOnPaperboy(paper) if paper is not None else None


def submit_arxiv_paper(
    store: Store,
    settings: Settings,
    arxiv: InteractiveArxiv,
    user: StoredUser,
    raw_id: str,
    *,
    now: datetime | None = None,
) -> StoredPaper:
    """Fetch the paper from arXiv, store it on today's page and credit the submitter.

    The one implementation behind the form and ``POST /api/submissions``. Raises
    InvalidInput (malformed id, too old), AlreadyOnPaperboy (409), TooManyRequests (the
    daily or hourly limit), NotFound (arXiv does not know it), ServiceUnavailable (arXiv
    asked us to wait, or too many lookups run) or SourceError (arXiv failed). When a
    limit refuses, nothing is stored.
    """
    try:
        arxiv_id, version = parse_arxiv_id(raw_id.strip())
    except InvalidInput:
        raise InvalidInput(
            "That is not an arXiv id or URL (e.g. 2503.11731 or https://arxiv.org/abs/2503.11731)."
        ) from None
    if (there := _already_there(store, arxiv_id)) is not None:
        raise there
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if store.submissions.count_submissions_since(user.id, midnight) >= settings.submissions_per_day:
        raise _daily_limit_reached(settings, now)  # early, before asking arXiv
    arxiv.count_attempt(user.id)
    try:
        records, failures = arxiv.fetch_records([f"{arxiv_id}v{version}" if version else arxiv_id])
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
    if record.submitted is not None and utc_naive(record.submitted) < oldest:
        raise InvalidInput(
            f"Only papers submitted to arXiv in the last "
            f"{settings.submission_max_age_days} days can be submitted."
        )
    today = dataclasses.replace(record, announced=now.date(), announced_estimated=False)
    try:
        paper_id = store.submissions.submit_paper(
            today, user.id, now=now, daily_limit=settings.submissions_per_day
        )
    except AlreadyExists:  # a concurrent submission (or harvest) of the paper won
        if (there := _already_there(store, arxiv_id)) is not None:
            raise there from None
        raise
    if paper_id is None:  # another submission of this account got in meanwhile
        raise _daily_limit_reached(settings, now)
    stored = store.papers.get_paper(arxiv_id)
    assert stored is not None and stored.id == paper_id
    return stored
