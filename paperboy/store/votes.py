"""Storage of upvotes: one row per (account, paper) in ``votes``.

A paper's count is always computed from rows (its ``imported_upvotes`` plus COUNT of its
votes), never kept in a counter, so concurrent votes cannot lose an update. A toggle
inserts the row; if the primary key says the vote exists (IntegrityError, also when a
concurrent toggle of the same account won the race) it deletes it instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Subquery, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import NotFound
from paperboy.store._rows import Repository, bump_counter, chunked, upvote_counts
from paperboy.store.models import (
    change_counters,
    code_links,
    github_repos,
    papers,
    vote_changes,
    votes,
)


@dataclass(frozen=True, slots=True)
class VoteResult:
    paper_id: int
    upvotes: int  # imported + community
    voted: bool  # the account's vote after the toggle


@dataclass(frozen=True, slots=True)
class TrendingCandidate:
    paper_id: int
    imported_upvotes: int
    votes: int  # community votes (all time)
    announced: datetime | None
    first_seen: datetime
    last_vote: datetime | None = None  # the newest community vote


# vote_changes keeps about this many of the newest votes; a cache further behind than
# that recomputes from scratch.
VOTE_CHANGES_KEPT = 5000


def _record_vote_change(conn: Connection, paper_id: int) -> None:
    """Bump the ``votes`` counter and log which paper the vote touched, in the vote's
    transaction (which holds the counter row, so the numbers are unique and gapless)."""
    bump_counter(conn, "votes")
    seq = int(
        conn.execute(
            select(change_counters.c.value).where(change_counters.c.name == "votes")
        ).scalar_one()
    )
    conn.execute(insert(vote_changes).values(seq=seq, paper_id=paper_id))
    if seq % 500 == 0:
        conn.execute(delete(vote_changes).where(vote_changes.c.seq <= seq - VOTE_CHANGES_KEPT))


class VoteStore(Repository):
    def toggle_vote(
        self, user_id: int, paper_id: int, *, now: datetime | None = None
    ) -> VoteResult:
        """Add the account's vote for the paper, or take it back if it exists."""
        at = now or utcnow()
        voted = True
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(votes).values(user_id=user_id, paper_id=paper_id, created_at=at)
                )
                _record_vote_change(conn, paper_id)
        except IntegrityError:
            with self.engine.begin() as conn:
                exists = conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first()
                if exists is None:
                    raise NotFound("no such paper") from None
                conn.execute(
                    delete(votes).where(votes.c.user_id == user_id, votes.c.paper_id == paper_id)
                )
                _record_vote_change(conn, paper_id)
            voted = False
        return VoteResult(paper_id, self.vote_totals([paper_id]).get(paper_id, 0), voted)

    def add_vote(self, user_id: int, paper_id: int, at: datetime) -> None:
        """A vote at a given time (imports and tests); an existing vote is kept."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(votes).values(user_id=user_id, paper_id=paper_id, created_at=at)
                )
                _record_vote_change(conn, paper_id)
        except IntegrityError:
            pass

    def vote_totals(self, paper_ids: Iterable[int]) -> dict[int, int]:
        """imported + community votes of each paper, in one query per 500 papers."""
        return {pid: hf + here for pid, (hf, here) in upvote_counts(self.engine, paper_ids).items()}

    def voted_by(self, user_id: int, paper_ids: Iterable[int]) -> set[int]:
        """Which of these papers the account has voted for (one query per 500)."""
        ids = list(dict.fromkeys(paper_ids))
        found: set[int] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(votes.c.paper_id).where(
                        votes.c.user_id == user_id, votes.c.paper_id.in_(chunk)
                    )
                )
                found.update(int(r[0]) for r in rows)
        return found

    def vote_days(self, paper_ids: Iterable[int], since: datetime) -> dict[int, list[datetime]]:
        """The times of each paper's votes since ``since`` (for sparklines), one query."""
        ids = list(dict.fromkeys(paper_ids))
        found: dict[int, list[datetime]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(votes.c.paper_id, votes.c.created_at).where(
                        votes.c.paper_id.in_(chunk), votes.c.created_at >= since
                    )
                )
                for pid, at in rows:
                    found.setdefault(int(pid), []).append(at)
        return found

    def change_marker(self, extra: tuple[str, ...] = ()) -> tuple[int, ...]:
        """Changes when anything trending depends on changes: a vote, a paper hidden or
        shown, a star snapshot, a paper added or changed (imported upvotes); plus the
        ``extra`` counters. The ``votes`` counter comes first. One cheap query."""
        c = change_counters
        with self.engine.connect() as conn:
            counters = {str(n): int(v) for n, v in conn.execute(select(c.c.name, c.c.value))}
            newest = conn.execute(select(func.max(papers.c.last_changed))).scalar_one()
            count = conn.execute(select(func.max(papers.c.id))).scalar_one()
        stamp = int(newest.timestamp() * 1_000_000) if isinstance(newest, datetime) else 0
        names = ("votes", "hidden", "stars", *extra)
        return (*(counters.get(n, 0) for n in names), stamp, count or 0)

    def trending_candidates(self, since: datetime) -> list[TrendingCandidate]:
        """Papers announced (or first seen) since ``since`` with at least one imported
        upvote or vote or a synced official repository, and papers voted for since then
        (with their newest vote's time, so a caller can narrow the list to a later
        ``since``): one query."""
        counted = _vote_counts()
        n = func.coalesce(counted.c.n, 0)
        # Papers whose official code repository is synced with GitHub may trend on star
        # gains alone (the caller computes the gains).
        with_stars = (
            select(code_links.c.paper_id)
            .join(github_repos, github_repos.c.key == code_links.c.repo_key)
            .where(code_links.c.official.is_(True), github_repos.c.status == "ok")
        )
        announced_recently = or_(
            papers.c.announced >= since.date(),
            (papers.c.announced.is_(None)) & (papers.c.first_seen >= since),
        )
        recent_votes = select(votes.c.paper_id).where(votes.c.created_at >= since)
        condition = or_(
            announced_recently
            & ((papers.c.imported_upvotes > 0) | (n > 0) | papers.c.id.in_(with_stars)),
            papers.c.id.in_(recent_votes),
        )
        with self.engine.connect() as conn:
            return _candidates(conn, counted, condition)

    def candidates_for(self, paper_ids: Iterable[int]) -> list[TrendingCandidate]:
        """The candidate rows of these papers as they are now, whatever their age (a
        trending cache re-reads the papers a few new votes touched)."""
        ids = sorted(set(paper_ids))
        found: list[TrendingCandidate] = []
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                counted = _vote_counts(chunk)
                found.extend(_candidates(conn, counted, papers.c.id.in_(chunk)))
        return found

    def vote_changes_between(self, after: int, upto: int) -> list[int] | None:
        """The papers touched by votes number ``after + 1`` to ``upto`` (values of the
        ``votes`` counter), or None when the log no longer holds all of them."""
        if upto - after > VOTE_CHANGES_KEPT // 2:
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(vote_changes.c.seq, vote_changes.c.paper_id).where(
                    vote_changes.c.seq > after, vote_changes.c.seq <= upto
                )
            ).all()
        if len(rows) != upto - after:
            return None
        return sorted({int(pid) for _seq, pid in rows})


def _vote_counts(paper_ids: Sequence[int] | None = None) -> Subquery:
    """Votes per paper with the newest vote's time (of these papers only, if given)."""
    query = select(
        votes.c.paper_id,
        func.count().label("n"),
        func.max(votes.c.created_at).label("last_vote"),
    )
    if paper_ids is not None:
        query = query.where(votes.c.paper_id.in_(paper_ids))
    return query.group_by(votes.c.paper_id).subquery()


def _candidates(
    conn: Connection, counted: Subquery, condition: ColumnElement[bool]
) -> list[TrendingCandidate]:
    query = (
        select(
            papers.c.id,
            papers.c.imported_upvotes,
            func.coalesce(counted.c.n, 0),
            papers.c.announced,
            papers.c.first_seen,
            counted.c.last_vote,
        )
        .select_from(papers.outerjoin(counted, counted.c.paper_id == papers.c.id))
        .where(condition)
    )
    return [
        TrendingCandidate(
            paper_id=int(pid),
            imported_upvotes=int(imported or 0),
            votes=int(count or 0),
            announced=(datetime(ann.year, ann.month, ann.day) if ann is not None else None),
            first_seen=first_seen,
            last_vote=last_vote,
        )
        for pid, imported, count, ann, first_seen, last_vote in conn.execute(query)
    ]
