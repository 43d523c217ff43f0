"""Turn the JSON record shapes paperboy accepts into PaperRecords.

* paperboy's own bulk format (the shared arXiv 2025-26 file): ``id, title, abstract,
  authors[], categories[], comment, listing_date``;
* the Kaggle arXiv metadata snapshot: ``id, title, abstract, authors, authors_parsed,
  categories`` (space separated), ``versions``, ``update_date``, ``doi``, ...;
* Hugging Face daily papers, both the ``/api/daily_papers`` shape
  (``paper{id,title,summary,authors,publishedAt,upvotes}``, ``submittedOnDailyAt``) and
  the flat JSONL sample (``arxiv_id, title, authors, abstract, publication_date,
  upvotes``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from paperboy.arxiv import PaperRecord
from paperboy.errors import InvalidInput
from paperboy.ingest.records import make_record, next_weekday


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 (``2024-01-02T03:04:05.000Z``) or RFC 2822 dates; None if absent."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"unreadable date {text[:40]!r}") from None


def parse_date(value: Any) -> date | None:
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def _text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"field {key!r} must be a string")
    return value


def _str_list(value: Any, key: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput(f"field {key!r} must be a list")
    return [str(v) for v in value]


def detect_format(obj: dict[str, Any]) -> str:
    if isinstance(obj.get("paper"), dict) or "arxiv_id" in obj or "upvotes" in obj:
        return "hf"
    if "versions" in obj or "authors_parsed" in obj or isinstance(obj.get("categories"), str):
        return "kaggle"
    return "paperboy"


def record_from_json(obj: Any, fmt: str = "auto") -> PaperRecord:
    if not isinstance(obj, dict):
        raise InvalidInput("record is not a JSON object")
    kind = detect_format(obj) if fmt == "auto" else fmt
    if kind == "hf":
        return record_from_hf(obj)
    if kind == "kaggle":
        return record_from_kaggle(obj)
    return record_from_paperboy(obj)


def _require_id(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str | int | float) or not str(value).strip():
        raise InvalidInput(f"missing {key!r}")
    return str(value)


def record_from_paperboy(obj: dict[str, Any]) -> PaperRecord:
    links = {"project": obj["project_url"]} if isinstance(obj.get("project_url"), str) else None
    return make_record(
        _require_id(obj, "id"),
        _text(obj, "title"),
        source="jsonl",
        abstract=_text(obj, "abstract"),
        authors=_str_list(obj.get("authors"), "authors"),
        categories=_str_list(obj.get("categories"), "categories"),
        comment=_text(obj, "comment"),
        journal_ref=_text(obj, "journal_ref"),
        doi=_text(obj, "doi"),
        announced=parse_date(obj.get("listing_date") or obj.get("announced")),
        submitted=parse_datetime(obj.get("submitted")),
        updated=parse_datetime(obj.get("updated")),
        version=obj.get("version"),
        links=links,
    )


_AND = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def _kaggle_authors(obj: dict[str, Any]) -> list[str] | None:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not parts:
                raise InvalidInput("authors_parsed entries must be lists")
            keyname, forenames, suffix = ([*map(str, parts), "", ""])[:3]
            names.append(" ".join(p for p in (forenames, keyname, suffix) if p.strip()))
        return names
    raw = _text(obj, "authors")
    if raw is None:
        return None
    return [a for a in _AND.split(raw.replace("\n", " ")) if a.strip()]


def record_from_kaggle(obj: dict[str, Any]) -> PaperRecord:
    versions = obj.get("versions") or []
    if not isinstance(versions, list):
        raise InvalidInput("field 'versions' must be a list")
    stamps = [parse_datetime(v.get("created")) for v in versions if isinstance(v, dict)]
    submitted = stamps[0] if stamps else None
    updated = stamps[-1] if len(stamps) > 1 else None
    version = len(versions) or None
    if versions and isinstance(versions[-1], dict):
        label = str(versions[-1].get("version", ""))
        if label.lstrip("v").isdigit():
            version = int(label.lstrip("v"))
    categories = _text(obj, "categories")
    return make_record(
        _require_id(obj, "id"),
        _text(obj, "title"),
        source="kaggle",
        abstract=_text(obj, "abstract"),
        authors=_kaggle_authors(obj),
        categories=categories.split() if categories else None,
        comment=_text(obj, "comments"),
        journal_ref=_text(obj, "journal-ref"),
        doi=_text(obj, "doi"),
        license=_text(obj, "license"),
        submitted=submitted,
        updated=updated,
        # The snapshot has no announcement date; arXiv lists a paper on the first
        # weekday after its submission, which is right for all but late submissions.
        announced=next_weekday(submitted.date()) if submitted else None,
        announced_estimated=True,
        version=version,
    )


def record_from_hf(obj: dict[str, Any]) -> PaperRecord:
    paper = obj.get("paper") if isinstance(obj.get("paper"), dict) else None
    if paper is not None:
        raw_authors = paper.get("authors") or []
        if not isinstance(raw_authors, list):
            raise InvalidInput("field 'authors' must be a list")
        authors = [str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in raw_authors]
        raw_id = _require_id(paper, "id")
        title = _text(paper, "title") or _text(obj, "title")
        abstract = _text(paper, "summary") or _text(obj, "summary")
        published = parse_datetime(paper.get("publishedAt") or obj.get("publishedAt"))
        upvotes = paper.get("upvotes")
        # The API puts submittedOnDailyAt inside "paper"; the top level is read too.
        daily = parse_date(paper.get("submittedOnDailyAt") or obj.get("submittedOnDailyAt"))
    else:
        raw_id = _require_id(obj, "arxiv_id")
        title = _text(obj, "title")
        abstract = _text(obj, "abstract")
        authors = _str_list(obj.get("authors"), "authors") or []
        published = parse_datetime(obj.get("publication_date"))
        upvotes = obj.get("upvotes")
        daily = None
    if upvotes is not None and (not isinstance(upvotes, int) or upvotes < 0):
        raise InvalidInput("field 'upvotes' must be a non-negative integer")
    record = make_record(
        raw_id,
        title,
        source="huggingface",
        abstract=abstract,
        authors=authors,
        submitted=published,
        announced=daily or (published.date() if published else None),
        announced_estimated=True,  # the day it reached Hugging Face, not arXiv's listing
        upvotes=upvotes,
    )
    record.links = {"huggingface": f"https://huggingface.co/papers/{record.arxiv_id}"}
    return record
