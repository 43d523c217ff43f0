"""An author's page: the papers under a name, newest first, with its co-authors,
categories over the years and the upvotes its papers received.

A name is resolved by ``store.authors.match_name`` under the rule documented in
``paperboy.store.author_names`` (the search's ``author:`` filter uses the same call).
A name is not a person: the page lists every spelling it matched and says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from paperboy.errors import InvalidInput, NotFound
from paperboy.store import Store, StoredPaper
from paperboy.store.author_names import MAX_NAME_LENGTH
from paperboy.store.authors import CoAuthor

MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class YearCategories:
    """One year of a name's papers: how many, and by primary category (busiest first)."""

    year: int
    total: int
    categories: list[tuple[str, int]]


@dataclass(slots=True)
class AuthorPage:
    asked: str  # the name as asked for
    key: str  # its normal form
    names: list[str]  # every spelling that matched, most papers first
    papers: list[StoredPaper]  # this page of papers, newest first
    total: int
    page: int
    per_page: int
    coauthors: list[CoAuthor] = field(default_factory=list)
    years: list[YearCategories] = field(default_factory=list)
    imported_upvotes: int = 0  # from Hugging Face (and other imports)
    local_upvotes: int = 0  # from this site's readers
    surname_only: bool = False  # a one-word name: every name with that surname

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def upvotes(self) -> int:
        return self.imported_upvotes + self.local_upvotes

    @property
    def title(self) -> str:
        """The spelling to head the page with: the asked one unless one name matched."""
        return self.names[0] if len(self.names) == 1 else self.asked.strip()


def author_path(name: str) -> str:
    """The local URL of a name's page (a slash would end the path segment, and the name
    rule treats it as a space anyway)."""
    return "/author/" + quote(name.replace("/", " ").strip(), safe="")


def author_page(store: Store, name: str, *, page: int = 1, per_page: int = 25) -> AuthorPage:
    """The page of ``name``; NotFound when no stored paper carries a matching name."""
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"an author name is at most {MAX_NAME_LENGTH} characters")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be 1 or more and per_page 1 to {MAX_PER_PAGE}")
    match = store.authors.match_name(name)
    surname_only = len(match.key.split()) == 1
    total, imported, local = store.authors.summary(match)
    if not total:
        could_be = store.authors.full_name_candidates(match.key)
        hint = (
            f"; an initial matches a full first name only when exactly one fits, and "
            f"{len(could_be)} do: {', '.join(could_be)}"
            if len(could_be) > 1
            else ""
        )
        raise NotFound(f"no papers by an author named {name.strip()[:80]!r}{hint}")
    shown = store.authors.page_ids(match, per_page, (page - 1) * per_page)
    by_id = store.papers.get_papers_by_ids(shown)
    per_name = store.authors.paper_counts(match)
    return AuthorPage(
        asked=name,
        key=match.key,
        names=sorted(match.names.values(), key=lambda n: (-per_name.get(n, 0), n)),
        papers=[by_id[i] for i in shown if i in by_id],
        total=total,
        page=page,
        per_page=per_page,
        # A surname gathers many people: their co-authors together would mean nothing.
        coauthors=[] if surname_only else store.authors.coauthors(match),
        years=_years(store.authors.years(match)),
        imported_upvotes=imported,
        local_upvotes=local,
        surname_only=surname_only,
    )


def _years(rows: list[tuple[int, str, int]]) -> list[YearCategories]:
    """Primary categories per announcement year, newest year first."""
    by_year: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for year, category, n in rows:
        by_year[year][category] += n
    return [
        YearCategories(year, sum(c.values()), sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        for year, c in sorted(by_year.items(), reverse=True)
    ]
