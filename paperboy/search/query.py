"""The search box language, parsed once and used by both engines.

    sparse attention                      words (any may match; BM25 ranks)
    "sparse attention"                    a phrase: results must contain it
    author:hinton  author:"Yann LeCun"    author filter (also au:)
    cat:cs.CL  category:cs.CL             category filter, cross-lists included
    year:2025  year:2024-2025             announcement year(s)
    from:2025-03-01  to:2025-06-30        announcement dates (also after:/before:)
    2503.11731 or an arXiv URL            goes straight to that paper

Anything else is plain text: FTS operators, SQL or HTML mean nothing here, so a query
can never be a syntax error; only bad filter values (year:abc) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from paperboy.arxiv import parse_arxiv_id
from paperboy.errors import InvalidInput
from paperboy.store.author_names import name_tokens

MAX_QUERY_LENGTH = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[^\W_]+")
_FILTER = re.compile(
    r'(?<!\S)(author|au|cat|category|year|from|after|to|before|has):("[^"]*"|\S+)', re.I
)
FILTER_PATTERN = _FILTER  # public: a followed search's reason shows its filters apart
_PHRASE = re.compile(r'"([^"]*)"')
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z\-]{0,19}(?:\.[A-Za-z\-]{1,20})?$")
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# English function words (Lucene's English list and a few more) and the words readers
# wrap a description in ("the paper that ...", "how do ...?"): matching them only adds
# noise to BM25. The semantic engine still reads the whole text.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "paper",
        "papers",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "us",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "using",
        "based",
    ]
)


def words(text: str) -> list[str]:
    """Lower-cased words as the index's tokenizers see them."""
    return [w.lower() for w in _WORD.findall(text)]


@dataclass
class ParsedQuery:
    raw: str
    text: str = ""  # the free text, without filters (what the semantic engine embeds)
    terms: list[str] = field(default_factory=list)  # words outside phrases, stopwords removed
    phrases: list[list[str]] = field(default_factory=list)
    authors: list[list[str]] = field(default_factory=list)  # names, as author_names folds them
    # The arXiv ids under each author name, resolved by the store (``SearchService``)
    # exactly as the author pages resolve it; None until resolved.
    author_papers: list[frozenset[str]] | None = None
    categories: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    arxiv_id: str | None = None
    has_code: bool = False  # has:code: only papers that link a code repository
    # Set by the search service for has:code: the arXiv ids that may match.
    within: frozenset[str] | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.authors or self.categories or self.date_from or self.date_to or self.has_code
        )

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.has_filters or self.arxiv_id)


def _parse_day(value: str, name: str) -> date:
    if _DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{name}: expects a date like 2025-03-18, not {value[:40]!r}")


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def parse_query(
    raw: str,
    *,
    categories: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    has_code: bool = False,
) -> ParsedQuery:
    """Parse the search box; form filters (category, dates, code) are merged in."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"query is longer than {MAX_QUERY_LENGTH} characters")
    text = _CONTROL.sub(" ", raw).strip()
    parsed = ParsedQuery(raw=raw, date_from=date_from, date_to=date_to, has_code=has_code)
    for cat in categories or []:
        _add_category(parsed, cat)
    if text and " " not in text:
        try:
            parsed.arxiv_id = parse_arxiv_id(text)[0]
            return parsed
        except InvalidInput:
            pass

    def take_filter(match: re.Match[str]) -> str:
        name, value = match.group(1).lower(), _unquote(match.group(2))
        if name in ("author", "au"):
            names = name_tokens(value)
            if names:
                parsed.authors.append(names)
        elif name in ("cat", "category"):
            _add_category(parsed, value)
        elif name == "year":
            m = _YEAR.match(value)
            if not m:
                raise InvalidInput(f"year: expects 2025 or 2024-2025, not {value[:40]!r}")
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            if not 1990 <= first <= last <= 2100:
                raise InvalidInput(f"year: {value[:40]!r} is out of range")
            parsed.date_from, parsed.date_to = date(first, 1, 1), date(last, 12, 31)
        elif name == "has":
            if value.lower() != "code":
                raise InvalidInput(f"has: only has:code is known, not {value[:40]!r}")
            parsed.has_code = True
        elif name in ("from", "after"):
            parsed.date_from = _parse_day(value, name)
        else:
            parsed.date_to = _parse_day(value, name)
        return " "

    text = _FILTER.sub(take_filter, text)
    if parsed.date_from and parsed.date_to and parsed.date_from > parsed.date_to:
        raise InvalidInput("the start date is after the end date")
    if text.count('"') % 2:  # an unbalanced quote is just a character
        head, _, tail = text.rpartition('"')
        text = f"{head} {tail}"

    def take_phrase(match: re.Match[str]) -> str:
        phrase = words(match.group(1))
        if len(phrase) > 1:
            parsed.phrases.append(phrase)
        elif phrase:
            parsed.terms.extend(phrase)
        return " "

    rest = _PHRASE.sub(take_phrase, text)
    all_words = words(rest)
    parsed.terms.extend(w for w in all_words if w not in STOPWORDS)
    if not parsed.terms and not parsed.phrases and all_words:
        parsed.terms = all_words  # a query of only stopwords still searches for them
    parsed.text = " ".join(text.replace('"', " ").split())
    return parsed


def _add_category(parsed: ParsedQuery, value: str) -> None:
    value = value.strip()
    if not value:
        return
    if not _CATEGORY.match(value):
        raise InvalidInput(f"cat: {value[:40]!r} is not an arXiv category like cs.CL")
    if value not in parsed.categories:
        parsed.categories.append(value)


def day_number(day: date | None) -> int:
    """A day as an integer (20250601) for the date filters of both indexes; 0 for none."""
    return day.year * 10000 + day.month * 100 + day.day if day else 0
