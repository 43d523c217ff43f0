"""Digest preferences: what a subscriber chose, validated in one place for the web form,
the CLI and the store."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from paperboy.digest.periods import FREQUENCIES
from paperboy.errors import InvalidInput

DEFAULT_PAPERS = 10
MAX_PAPERS = 50
MAX_CATEGORIES = 30
MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 80
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")


@dataclass(frozen=True, slots=True)
class Preferences:
    frequency: str = "daily"
    weekday: int = 0  # weekly digests: 0 = Monday … 6 = Sunday
    categories: tuple[str, ...] = ()
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    max_papers: int = DEFAULT_PAPERS

    def as_columns(self) -> dict[str, Any]:
        values = asdict(self)
        for key in ("categories", "include_keywords", "exclude_keywords"):
            values[key] = list(values[key])
        return values

    @property
    def key(self) -> tuple[object, ...]:
        """Equal for subscribers who get the same trending section."""
        cats = tuple(sorted(c.lower() for c in self.categories))
        return (cats, self.include_keywords, self.exclude_keywords, self.max_papers)

    @classmethod
    def of(cls, row: Any) -> Preferences:
        """The preferences stored in a subscription row."""
        return cls(
            frequency=row.frequency,
            weekday=row.weekday,
            categories=tuple(row.categories),
            include_keywords=tuple(row.include_keywords),
            exclude_keywords=tuple(row.exclude_keywords),
            max_papers=row.max_papers,
        )


def split_terms(raw: str | Iterable[str]) -> list[str]:
    """Comma- or newline-separated terms from a form field, trimmed, empty ones dropped."""
    parts = re.split(r"[,\n]", raw) if isinstance(raw, str) else list(raw)
    return [p.strip() for p in parts if p and p.strip()]


def make_preferences(
    *,
    frequency: str = "daily",
    weekday: int | str = 0,
    categories: str | Iterable[str] = (),
    include_keywords: str | Iterable[str] = (),
    exclude_keywords: str | Iterable[str] = (),
    max_papers: int | str = DEFAULT_PAPERS,
) -> Preferences:
    """Validated preferences; InvalidInput (422) names the first problem."""
    if frequency not in FREQUENCIES:
        raise InvalidInput("frequency must be daily or weekly")
    try:
        day = int(weekday)
        count = int(max_papers)
    except (TypeError, ValueError):
        raise InvalidInput("weekday and number of papers must be whole numbers") from None
    if not 0 <= day <= 6:
        raise InvalidInput("weekday must be 0 (Monday) to 6 (Sunday)")
    if not 1 <= count <= MAX_PAPERS:
        raise InvalidInput(f"number of papers must be between 1 and {MAX_PAPERS}")
    cats = []
    for cat in split_terms(categories):
        if not _CATEGORY.match(cat) or len(cat) > 40:
            raise InvalidInput(f"{cat[:40]!r} is not an arXiv category like cs.LG or hep-th")
        cats.append(cat)
    includes = _keywords(include_keywords, "include")
    excludes = _keywords(exclude_keywords, "exclude")
    if len(cats) > MAX_CATEGORIES:
        raise InvalidInput(f"at most {MAX_CATEGORIES} categories")
    return Preferences(
        frequency=frequency,
        weekday=day,
        categories=tuple(dict.fromkeys(cats)),
        include_keywords=includes,
        exclude_keywords=excludes,
        max_papers=count,
    )


def _keywords(raw: str | Iterable[str], which: str) -> tuple[str, ...]:
    terms = [t.lower() for t in split_terms(raw)]
    if len(terms) > MAX_KEYWORDS:
        raise InvalidInput(f"at most {MAX_KEYWORDS} keywords to {which}")
    for term in terms:
        if len(term) > MAX_KEYWORD_LENGTH:
            raise InvalidInput(f"keywords are at most {MAX_KEYWORD_LENGTH} characters")
        if any(ord(c) < 32 for c in term):
            raise InvalidInput("keywords cannot contain control characters")
    return tuple(dict.fromkeys(terms))
