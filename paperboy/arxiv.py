"""arXiv identifiers and the paper record every source produces.

A leaf module: store, ingest, search, library and web all use it; it imports nothing of
paperboy's but the error types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from paperboy.errors import InvalidInput

# New-style ids (0704.0001, 2503.11731) and old-style ids (hep-th/9901001, math.AG/0601001).
_NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
_OLD_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
_ID_IN_URL = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|^arxiv:|^)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_TRAILER = re.compile(r"^(?:\.pdf)?/?(?:[?#].*)?$")


def parse_arxiv_id(raw: str) -> tuple[str, int | None]:
    """Split ``2503.11731v2`` (or an arXiv URL) into ``("2503.11731", 2)``.

    Raises InvalidInput for anything that is not an arXiv identifier.
    """
    text = raw.strip()
    match = _ID_IN_URL.search(text)
    if match is None or not _TRAILER.match(text[match.end() :]):
        raise InvalidInput(f"not an arXiv identifier: {raw[:80]!r}")
    candidate = match.group(1)
    for pattern in (_NEW_ID, _OLD_ID):
        m = pattern.match(candidate)
        if m:
            version = int(m.group(2)) if m.group(2) else None
            return m.group(1), version
    raise InvalidInput(f"not an arXiv identifier: {raw[:80]!r}")


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    suffix = f"v{version}" if version else ""
    return f"https://arxiv.org/pdf/{arxiv_id}{suffix}"


@dataclass(slots=True)
class PaperRecord:
    """One paper as a source reports it. ``None`` means the source does not say."""

    arxiv_id: str
    title: str
    version: int | None = None
    abstract: str | None = None
    authors: list[str] | None = None
    categories: list[str] | None = None
    submitted: datetime | None = None
    updated: datetime | None = None
    announced: date | None = None
    announced_estimated: bool = False
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    links: dict[str, str] | None = None
    upvotes: int | None = None
    source: str = field(default="unknown", compare=False)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None
