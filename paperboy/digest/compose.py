"""Choosing a digest's papers.

Everything about one period's papers (trending order, lower-cased text for keyword
matching, categories, embeddings) is loaded once into a ``PeriodPool`` and shared by
every subscriber of that period, so composing 10,000 digests does not mean 10,000 scans
of the database. Subscribers with equal preferences share one trending selection.

Trending section: the period's papers that match the preferences, by trending score
(upvotes decayed by age, as on /trending; star gains are left to /trending, since a
period's new papers have had no time to gain any); papers without votes follow, newest
first, so a quiet category still gets its new papers, and a section where nobody
upvoted anything is titled "New papers", not "Trending".

"For you": for a subscriber whose account has upvoted or saved papers, the period's
papers the "For you" ranker scores highest (the same ranker as the /for-you page, "not
interested" marks included), each explained by the closest saved or upvoted paper.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

import numpy as np

from paperboy.config import Settings
from paperboy.digest.periods import Period
from paperboy.digest.preferences import Preferences
from paperboy.rank.foryou import reason_for
from paperboy.rank.models import closest_positive
from paperboy.rank.trending import age_hours, trending_score
from paperboy.search.embed import DIM
from paperboy.search.service import model_key
from paperboy.store import Store, StoredPaper
from paperboy.store.recommend import Seed
from paperboy.store.tldr import PaperTldr

EXCERPT_MAX_CHARS = 420
# Relevance is in [0, 1]; for the similarity ranker 0.6 is a cosine of 0.2, the floor
# semantic search uses too: weaker matches are noise, and no section beats a bad one.
MIN_FOR_YOU_RELEVANCE = 0.6
# A sentence ends at . ! or ? followed by space and a capital, digit or opening bracket;
# common abbreviations do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "cf.", "vs.", "Fig.", "Eq.", "Sec.", "approx.")


@dataclass(frozen=True, slots=True)
class DigestEntry:
    arxiv_id: str
    title: str
    url: str
    authors: str
    excerpt: str
    votes: int
    categories: tuple[str, ...]
    reason: str | None = None
    tldr: str | None = None  # the paper's one line (docs/tldr.md)
    tldr_by_hf: bool = False  # ``tldr`` is Hugging Face's AI summary: say so


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything one digest email shows; rendering it touches nothing else."""

    email: str
    period: Period
    trending: list[DigestEntry]
    for_you: list[DigestEntry]
    site_url: str
    manage_url: str
    unsubscribe_url: str
    message_id: str
    preferences: Preferences
    following: list[DigestEntry] = field(default_factory=list)  # "From what you follow"

    @property
    def is_empty(self) -> bool:
        return not self.trending and not self.for_you and not self.following


def two_sentences(text: str | None) -> str:
    """The first two sentences of an abstract (shortened at a word if still long)."""
    flat = " ".join((text or "").split())
    if not flat:
        return ""
    parts = _SENTENCE_END.split(flat)
    sentences: list[str] = []
    for part in parts:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] += " " + part
        else:
            sentences.append(part)
    excerpt = " ".join(sentences[:2])
    if len(excerpt) > EXCERPT_MAX_CHARS:
        excerpt = excerpt[:EXCERPT_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return excerpt


def authors_line(authors: list[str], limit: int = 4) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + f" et al. ({len(authors)} authors)"


@lru_cache(maxsize=4096)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    # Whole words: "gan" must not match "organ"; a keyword may be a phrase.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@dataclass
class PeriodPool:
    """One period's visible papers in trending order, ready for many subscribers."""

    period: Period
    papers: list[StoredPaper]
    votes: list[int]
    texts: list[str]  # lower-cased title + abstract
    by_category: dict[str, list[int]]
    vector_rows: dict[int, int]  # pool index → row of ``vectors``
    vectors: np.ndarray
    site_url: str
    tldrs: dict[int, PaperTldr] = field(default_factory=dict)  # by paper id
    _selections: dict[tuple[object, ...], list[int]] = field(default_factory=dict)
    _entries: dict[int, DigestEntry] = field(default_factory=dict)
    _embedded_cache: tuple[np.ndarray, np.ndarray] | None = None

    def entry(self, index: int, reason: str | None = None) -> DigestEntry:
        """The digest entry of a pool paper (built once: many digests share it)."""
        cached = self._entries.get(index)
        if cached is None:
            cached = self._entries[index] = self._make_entry(index)
        return cached if reason is None else replace(cached, reason=reason)

    def _make_entry(self, index: int) -> DigestEntry:
        paper = self.papers[index]
        tldr = self.tldrs.get(paper.id)
        return DigestEntry(
            arxiv_id=paper.arxiv_id,
            title=" ".join(paper.title.split()),
            url=f"{self.site_url}/paper/{paper.arxiv_id}",
            authors=authors_line(paper.authors),
            excerpt=two_sentences(paper.abstract),
            votes=self.votes[index],
            categories=tuple(paper.categories),
            tldr=tldr.text if tldr else None,
            tldr_by_hf=bool(tldr and tldr.by_hf),
        )

    def matches(self, index: int, prefs: Preferences) -> bool:
        exclude = _keyword_pattern(prefs.exclude_keywords)
        if exclude is not None and exclude.search(self.texts[index]):
            return False
        include = _keyword_pattern(prefs.include_keywords)
        return include is None or include.search(self.texts[index]) is not None

    def select_trending(self, prefs: Preferences) -> list[int]:
        """Pool indices of the top ``max_papers`` matching papers (cached per prefs)."""
        cached = self._selections.get(prefs.key)
        if cached is not None:
            return cached
        if prefs.categories:
            wanted: set[int] = set()
            for cat in prefs.categories:
                wanted.update(self.by_category.get(cat.lower(), ()))
            order: list[int] | range = sorted(wanted)
        else:
            order = range(len(self.papers))
        chosen: list[int] = []
        for index in order:
            if self.matches(index, prefs):
                chosen.append(index)
                if len(chosen) == prefs.max_papers:
                    break
        self._selections[prefs.key] = chosen
        return chosen

    def _embedded(self) -> tuple[np.ndarray, np.ndarray]:
        """Pool indices of the papers with vectors, and those vectors (made once)."""
        if self._embedded_cache is None:
            indices = np.fromiter(self.vector_rows.keys(), dtype=np.int64)
            rows = np.fromiter(self.vector_rows.values(), dtype=np.int64)
            self._embedded_cache = (indices, np.ascontiguousarray(self.vectors[rows]))
        return self._embedded_cache

    def select_for_you(
        self, reader: ReaderInterests, prefs: Preferences, skip: set[int], limit: int
    ) -> list[tuple[int, str]]:
        """(pool index, reason) of the period's papers the shipped "For you" ranker
        (rank/foryou.py: the same scores as the /for-you page) likes best for this
        reader, above a relevance floor. Excluded keywords apply; categories do not
        (the point is to find what the filters would miss). Papers the reader saved,
        upvoted or marked "not interested" never appear."""
        if not reader.seeds or not self.vector_rows or limit <= 0:
            return []
        pool_indices, matrix = self._embedded()
        scores = reader.rank(matrix, reader.positives, reader.negatives)
        picked: list[int] = []  # rows of ``matrix``, best first
        no_excludes = Preferences(exclude_keywords=prefs.exclude_keywords)
        for pos in np.argsort(-scores, kind="stable"):
            if scores[pos] < MIN_FOR_YOU_RELEVANCE or len(picked) == limit:
                break
            index = int(pool_indices[pos])
            if index in skip or self.papers[index].id in reader.excluded:
                continue
            if self.matches(index, no_excludes):
                picked.append(int(pos))
        if not picked:
            return []
        # The reason names the closest seed: computed for the few picked papers only.
        closest = closest_positive(matrix[picked], reader.positives)
        chosen = []
        for pos, seed_row in zip(picked, closest, strict=True):
            seed = reader.seeds[int(seed_row)]
            reason = reason_for(seed, reader.seed_papers[seed.paper_id])
            chosen.append((int(pool_indices[pos]), reason))
        return chosen


@dataclass(frozen=True)
class ReaderInterests:
    """What the "For you" ranker needs about one reader: the saved/upvoted papers
    (seeds) with their vectors, "not interested" vectors, and the scoring function."""

    seeds: list[Seed]
    seed_papers: dict[int, StoredPaper]
    positives: np.ndarray
    negatives: np.ndarray
    excluded: set[int]  # paper ids: seeds and "not interested" marks
    rank: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def build_pool(store: Store, settings: Settings, period: Period, now: datetime) -> PeriodPool:
    """Load one period's papers, votes and embeddings (a handful of queries)."""
    ids = [r.paper_id for r in store.recommend.recent_papers(period.first, period.last)]
    found = store.papers.get_papers_by_ids(ids)
    totals = store.votes.vote_totals(found)
    scored = []
    for pid, paper in found.items():
        count = totals.get(pid, paper.imported_upvotes)
        age = age_hours(paper.announced, paper.first_seen, now)
        score = trending_score(
            count, age, settings.trending_gravity, settings.trending_offset_hours
        )
        day = paper.announced.toordinal() if paper.announced else 0
        # Highest score first; ties: more votes, newer day, newer id.
        scored.append((-score, -count, -day, -pid))
    scored.sort()
    ordered = [found[-s[3]] for s in scored]
    votes = [totals.get(p.id, p.imported_upvotes) for p in ordered]
    by_category: dict[str, list[int]] = {}
    for index, paper in enumerate(ordered):
        for cat in {c.lower() for c in paper.categories}:
            by_category.setdefault(cat, []).append(index)
    embedded_ids, vectors = store.embeddings.embeddings_for(
        model_key(settings.embedding_runtime), DIM, [p.id for p in ordered]
    )
    position = {p.id: i for i, p in enumerate(ordered)}
    vector_rows = {position[pid]: row for row, pid in enumerate(embedded_ids)}
    return PeriodPool(
        period=period,
        papers=ordered,
        votes=votes,
        texts=[f"{p.title}\n{p.abstract or ''}".lower() for p in ordered],
        by_category=by_category,
        vector_rows=vector_rows,
        vectors=vectors,
        site_url=settings.base_url.rstrip("/"),
        tldrs=store.tldr.for_papers(ids),
    )
