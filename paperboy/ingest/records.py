"""The source-independent paper record every ingest source produces, and its cleaning.

Sources differ in what they know: the Hugging Face feed has no categories, the bulk
file has no versions. A field left ``None`` means "this source does not say", and the
store keeps what it already has for it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from paperboy.arxiv import PaperRecord, parse_arxiv_id
from paperboy.errors import InvalidInput

# arXiv taxonomy codes: cs.CV, hep-th, math.AG, q-bio.NC, astro-ph.CO, physics.optics.
# Listings also carry ACM (I.2.7) and MSC (68T50) classes in the same field; those are
# not categories and are dropped.
_CATEGORY = re.compile(r"^[a-z][a-z\-]{0,19}(?:\.[A-Za-z\-]{1,20})?$")
_WS = re.compile(r"\s+")
# Control characters, and lone surrogates (JSON can carry "\ud800"; no database stores
# them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FIRST_ANNOUNCEMENT = date(1991, 8, 1)  # arXiv's first day

MAX_TITLE = 1000
MAX_ABSTRACT = 20000
MAX_AUTHORS = 5000


def clean_line(text: str | None) -> str | None:
    """Collapse whitespace (arXiv titles carry hard line breaks) and drop control chars."""
    if text is None:
        return None
    cleaned = _WS.sub(" ", _CONTROL.sub("", text)).strip()
    return cleaned or None


def clean_abstract(text: str | None) -> str | None:
    """Unwrap arXiv's hard-wrapped abstract; an indented line starts a new paragraph."""
    if text is None:
        return None
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip("\n")
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line[:1].isspace() and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    joined = "\n\n".join(" ".join(p) for p in paragraphs if p)
    return _collapse_spaces(joined).strip() or None


def _collapse_spaces(text: str) -> str:
    # Only a tab or a run of spaces changes anything; most abstracts have neither, and
    # the substitution costs more than the two scans.
    if "\t" not in text and "  " not in text:
        return text
    return re.sub(r"[ \t]+", " ", text)


_DOI_SEPARATORS = re.compile(r"[\s,;]+")


def first_doi(raw: str | None) -> str | None:
    """Sources list several DOIs separated by spaces, commas or semicolons; the first
    is the paper's own."""
    dois = [d for d in _DOI_SEPARATORS.split(raw or "") if d]
    return dois[0] if dois else None


def next_weekday(day: date) -> date:
    """arXiv announces on weekdays: the first weekday after ``day``."""
    candidate = day + timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate += timedelta(days=1)
    return candidate


def make_record(
    raw_id: str,
    title: str | None,
    *,
    source: str,
    abstract: str | None = None,
    authors: list[str] | None = None,
    categories: list[str] | None = None,
    **fields: object,
) -> PaperRecord:
    """Validate and clean one record. Raises InvalidInput with the reason to skip it."""
    arxiv_id, version = parse_arxiv_id(raw_id)
    raw_version = fields.pop("version", None)
    if raw_version is not None:
        text = str(raw_version).strip().lower().removeprefix("v")
        if isinstance(raw_version, bool) or not text.isdigit() or not 0 < int(text) < 10_000:
            raise InvalidInput(f"{arxiv_id}: version {str(raw_version)[:20]!r} is not a number")
        version = int(text)
    announced = fields.get("announced")
    if isinstance(announced, date) and not (
        FIRST_ANNOUNCEMENT <= announced <= date.today() + timedelta(days=7)
    ):
        raise InvalidInput(f"{arxiv_id}: announcement date {announced} is impossible")
    clean_title = clean_line(title)
    if not clean_title:
        raise InvalidInput(f"{arxiv_id}: missing title")
    if len(clean_title) > MAX_TITLE:
        raise InvalidInput(f"{arxiv_id}: title longer than {MAX_TITLE} characters")
    clean_abs = clean_abstract(abstract)
    if clean_abs and len(clean_abs) > MAX_ABSTRACT:
        raise InvalidInput(f"{arxiv_id}: abstract longer than {MAX_ABSTRACT} characters")
    clean_authors = None
    if authors is not None:
        clean_authors = [a for a in (clean_line(str(x)) for x in authors) if a]
        if len(clean_authors) > MAX_AUTHORS:
            raise InvalidInput(f"{arxiv_id}: more than {MAX_AUTHORS} authors")
    clean_cats = None
    if categories is not None:
        seen: dict[str, None] = {}
        for cat in categories:
            c = clean_line(str(cat))
            if c and _CATEGORY.match(c):
                seen.setdefault(c, None)
        clean_cats = list(seen) or None
    text_fields = {}
    for name in ("comment", "journal_ref", "doi", "license"):
        value = fields.pop(name, None)
        text_fields[name] = clean_line(str(value)) if value is not None else None
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=clean_title,
        abstract=clean_abs,
        authors=clean_authors,
        categories=clean_cats,
        source=source,
        **text_fields,  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )
