"""What a search answers: the hits of one page with the counts a reader should see
(exact, or "about" when only the best candidates are ranked) and the warm-up notice;
the modes and sorts; what an index update did. Re-exported by ``search.service``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup

from paperboy.search.query import ParsedQuery
from paperboy.store import StoredPaper

Mode = Literal["hybrid", "lexical", "semantic"]
Sort = Literal["relevance", "date"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "semantic")
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: StoredPaper
    score: float
    snippet: Markup


@dataclass(slots=True)
class SearchResults:
    query: ParsedQuery
    mode: Mode
    sort: Sort
    page: int
    per_page: int
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    exact: StoredPaper | None = None  # the query was this paper's arXiv id
    notice: str | None = None  # e.g. semantic search unavailable, showing keyword results
    # How many papers match in all, when more than ``total`` (the ranked, pageable ones):
    # hybrid and semantic rank only their best candidates. None: ``total`` is all of them.
    matches: int | None = None
    # Semantic search warming up: (papers embedded, papers in all) while embeddings are
    # still being computed and the mode uses them; None otherwise.
    warming_up: tuple[int, int] | None = None

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

    @property
    def count_text(self) -> str:
        """The result count as a reader should read it: exact, or "about" with the
        number that can actually be paged through."""
        if self.matches is None or self.matches <= self.total:
            return f"{self.total:,} result{'' if self.total == 1 else 's'}"
        return f"about {round_count(self.matches):,} results; the best {self.total:,} are ranked"

    @property
    def warmup_notice(self) -> str | None:
        if self.warming_up is None:
            return None
        done, total = self.warming_up
        return (
            f"Semantic search is warming up: {done:,} of {total:,} papers are embedded so far; "
            "until then results lean on keywords."
        )


def round_count(n: int) -> int:
    """2,777 -> 2,800; 412 -> 410; 88 -> 88 (two significant figures from 100 up)."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return int(round(n / step) * step)


@dataclass(slots=True)
class IndexUpdate:
    indexed: int | None = 0  # None: another process holds the keyword index writer
    embedded: int = 0
    skipped: list[str] = field(default_factory=list)  # arXiv ids the embedder fails on
