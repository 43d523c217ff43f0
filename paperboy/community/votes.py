"""Upvotes as listings show them: one batch of lookups for a whole page of papers.

A listing calls ``vote_view`` once for its papers: one query for the totals, one for the
signed-in reader's own votes, one for the vote times behind each paper's trend (the
cumulative count per day over the last ``SPARK_DAYS`` days, drawn by the web layer as a
sparkline), one for the visible comment counts, one for the submitters, one for the
reader's saved papers and two for the TL;DRs: no query per paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from paperboy.clock import utcnow
from paperboy.store import Store, StoredPaper, StoredUser
from paperboy.store.code import StoredCodeLink
from paperboy.store.tldr import PaperTldr

SPARK_DAYS = 14


def cumulative_daily(
    vote_times: Iterable[datetime], base: int, today: date, days: int = SPARK_DAYS
) -> list[int]:
    """Total votes at the end of each of the last ``days`` days (the oldest first):
    ``base`` (the imported upvotes and every vote before the window) plus the votes
    cast up to that day. Without dated votes the line is flat at ``base``."""
    first = today - timedelta(days=days - 1)
    per_day = [0] * days
    for at in vote_times:
        index = (at.date() - first).days
        if 0 <= index < days:
            per_day[index] += 1
    counts, running = [], base
    for n in per_day:
        running += n
        counts.append(running)
    return counts


@dataclass(frozen=True, slots=True)
class VoteView:
    """Vote counts, the reader's own votes, vote trends and comment counts of a page of
    papers."""

    totals: dict[int, int] = field(default_factory=dict)
    mine: set[int] = field(default_factory=set)
    trends: dict[int, list[int]] = field(default_factory=dict)  # votes per day, cumulative
    comments: dict[int, int] = field(default_factory=dict)  # visible comments per paper
    submitters: dict[int, str] = field(default_factory=dict)  # display name per paper
    saved: set[int] = field(default_factory=set)  # in the reader's library (_save.html)
    code: dict[int, list[StoredCodeLink]] = field(default_factory=dict)  # _code_badge.html
    tldrs: dict[int, PaperTldr] = field(default_factory=dict)  # _tldr.html

    def tldr(self, paper: StoredPaper) -> PaperTldr | None:
        """The paper's one line: HF's summary when it has one, else the chosen sentence."""
        return self.tldrs.get(paper.id)

    def code_badge(self, paper: StoredPaper) -> StoredCodeLink | None:
        """The paper's official repository (else its first code or project link)."""
        links = self.code.get(paper.id, [])
        return next((c for c in links if c.official), None) or (links[0] if links else None)

    def is_saved(self, paper: StoredPaper) -> bool:
        return paper.id in self.saved

    def submitter(self, paper: StoredPaper) -> str | None:
        return self.submitters.get(paper.id)

    def comment_count(self, paper: StoredPaper) -> int:
        return self.comments.get(paper.id, 0)

    def total(self, paper: StoredPaper) -> int:
        return self.totals.get(paper.id, paper.imported_upvotes)

    def voted(self, paper: StoredPaper) -> bool:
        return paper.id in self.mine

    def trend(self, paper: StoredPaper) -> list[int]:
        """The paper's total at the end of each of the last SPARK_DAYS days (empty when
        trends were not asked for)."""
        return self.trends.get(paper.id, [])


def vote_view(
    store: Store,
    user: StoredUser | None,
    papers: Iterable[StoredPaper],
    *,
    trends: bool = True,
) -> VoteView:
    listed = list(papers)
    if not listed:
        return VoteView()
    ids = [p.id for p in listed]
    totals = store.votes.vote_totals(ids)
    mine = store.votes.voted_by(user.id, ids) if user else set()
    series: dict[int, list[int]] = {}
    if trends:
        now = utcnow()
        since = (now - timedelta(days=SPARK_DAYS - 1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        times = store.votes.vote_days(ids, since)
        for pid in ids:
            recent = times.get(pid, [])
            base = totals.get(pid, 0) - len(recent)
            series[pid] = cumulative_daily(recent, base, now.date())
    saved = store.library.saved_among(user.id, ids) if user else set()
    return VoteView(
        totals,
        mine,
        series,
        store.comments.comment_counts(ids),
        store.submissions.submitters(ids),
        saved,
        store.code.links_for_papers(ids),
        tldrs=store.tldr.for_papers(ids),
    )
