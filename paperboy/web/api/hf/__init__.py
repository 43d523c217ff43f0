"""``GET /api/daily_papers``: the Hugging Face daily papers API, served from paperboy.

Answers exactly the record shape of ``https://huggingface.co/api/daily_papers`` (a bare JSON
list; the same keys and JSON types at every level) so existing HF clients and scripts can
point at a paperboy site unchanged. paperboy's own ingester reads the answer back
(``paperboy ingest hf``), which a test checks.

How each field is filled (``null``/empty where paperboy has nothing to say):

* ``paper.id``: the arXiv id, no version.
* ``paper.authors[]``: ``name`` in byline order; ``hidden`` is always false; ``_id`` is an
  opaque, stable 24-hex id derived from (arXiv id, position, name): paperboy has no author
  accounts.
* ``paper.publishedAt`` and ``publishedAt``: arXiv submission of version 1 (else midnight UTC
  of the announcement day), as ``YYYY-MM-DDTHH:MM:SS.mmmZ``.
* ``paper.submittedOnDailyAt``: when a reader submitted the paper, else midnight UTC of the
  day it was announced, so the date part is always the day whose list holds the paper (the
  day ``?date=`` selects, and the day paperboy's HF ingester files it under).
* ``paper.title``/``title``, ``paper.summary``/``summary``: title and abstract (``""`` when
  there is no abstract).
* ``paper.upvotes``: imported upvotes plus paperboy community votes.
* ``paper.discussionId``: an opaque, stable 24-hex id of the paper's comment thread.
* ``thumbnail``: Hugging Face's social thumbnail for papers that came from Hugging Face
  (they have one there), else ``""``: paperboy renders no thumbnails.
* ``numComments``: visible (not deleted, not hidden) comments and replies on paperboy.
* ``submittedBy``: the paperboy reader who submitted the paper, or ``null`` for papers
  that came from a feed. ``_id`` is an opaque id keyed by the site's secret (never the
  internal account id), ``fullname`` and ``name`` are the display name, ``avatarUrl`` is
  ``""`` (no avatars), ``type`` is ``"user"``, ``isPro``/``isHf`` are false and ``isMod``
  is true for curators and admins.
* ``isAuthorParticipating``: always false (paperboy does not know authors' accounts)."""

from paperboy.web.api.hf.models import EXAMPLE_RECORD, HfAuthor, HfDailyPaper, HfPaper, HfUser
from paperboy.web.api.hf.records import (
    _ID_LENGTH,
    HF_THUMBNAIL,
    _account_id,
    _midnight,
    _opaque_id,
    daily_records,
    hf_record,
    hf_timestamp,
    records_of,
)
from paperboy.web.api.hf.routes import MAX_LIMIT, MAX_PAGE, daily_papers, papers_search, router

__all__ = [
    "EXAMPLE_RECORD",
    "HF_THUMBNAIL",
    "MAX_LIMIT",
    "MAX_PAGE",
    "_ID_LENGTH",
    "HfAuthor",
    "HfDailyPaper",
    "HfPaper",
    "HfUser",
    "_account_id",
    "_midnight",
    "_opaque_id",
    "daily_papers",
    "daily_records",
    "hf_record",
    "hf_timestamp",
    "papers_search",
    "records_of",
    "router",
]
