"""Storage for personal recommendations: "not interested" marks, the reader's seeds
(saved and upvoted papers) and the recent papers that are candidates.

Seeds read ``library_items`` (written by store/library.py) and ``votes`` directly: the
ranker needs only ids, kinds and times, in two small queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import NotFound
from paperboy.store._rows import Repository
from paperboy.store.models import library_items, not_interested, papers, votes

SeedKind = Literal["saved", "upvoted"]


@dataclass(frozen=True, slots=True)
class Seed:
    """A paper the reader showed interest in, and how."""

    paper_id: int
    kind: SeedKind
    at: datetime


@dataclass(frozen=True, slots=True)
class RecentPaper:
    """A candidate for recommendation: just what ranking needs, not the whole row."""

    paper_id: int
    arxiv_id: str
    day: date  # announced, or the day it was first seen when the date is unknown


class RecommendStore(Repository):
    def mark_not_interested(
        self, user_id: int, paper_id: int, *, now: datetime | None = None
    ) -> None:
        """Record the mark (idempotent: a second mark keeps the first time)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(not_interested).values(
                        user_id=user_id, paper_id=paper_id, created_at=now or utcnow()
                    )
                )
        except IntegrityError:
            with self.engine.connect() as conn:
                found = conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first()
            if found is None:
                raise NotFound("no such paper") from None

    def unmark_not_interested(self, user_id: int, paper_id: int) -> bool:
        """Take the mark back; False when there was none."""
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(not_interested).where(
                    not_interested.c.user_id == user_id, not_interested.c.paper_id == paper_id
                )
            ).rowcount
        return bool(gone)

    def not_interested_ids(self, user_id: int) -> dict[int, datetime]:
        """The reader's marks: paper id -> when."""
        stmt = select(not_interested.c.paper_id, not_interested.c.created_at).where(
            not_interested.c.user_id == user_id
        )
        with self.engine.connect() as conn:
            return {int(pid): at for pid, at in conn.execute(stmt)}

    def reader_seeds(self, user_id: int) -> list[Seed]:
        """Saved papers, then upvoted ones not also saved, each newest first. A paper
        both saved and upvoted counts once, as saved (the stronger signal)."""
        with self.engine.connect() as conn:
            saved = conn.execute(
                select(library_items.c.paper_id, library_items.c.created_at)
                .where(library_items.c.user_id == user_id)
                .order_by(library_items.c.created_at.desc(), library_items.c.paper_id.desc())
            ).all()
            upvoted = conn.execute(
                select(votes.c.paper_id, votes.c.created_at)
                .where(votes.c.user_id == user_id)
                .order_by(votes.c.created_at.desc(), votes.c.paper_id.desc())
            ).all()
        seeds = [Seed(int(pid), "saved", at) for pid, at in saved]
        seen = {s.paper_id for s in seeds}
        seeds.extend(Seed(int(pid), "upvoted", at) for pid, at in upvoted if pid not in seen)
        return seeds

    def recent_papers(self, start: date, end: date) -> list[RecentPaper]:
        """Papers announced in ``[start, end]`` (or, with no announcement date, first
        seen then), hidden ones left out: the candidates of the "For you" feed."""
        stmt = select(papers.c.id, papers.c.arxiv_id, papers.c.announced, papers.c.first_seen)
        stmt = stmt.where(papers.c.hidden.is_(False)).where(
            ((papers.c.announced >= start) & (papers.c.announced <= end))
            | (
                papers.c.announced.is_(None)
                & (papers.c.first_seen >= datetime(start.year, start.month, start.day))
                & (papers.c.first_seen < datetime.combine(end, datetime.max.time()))
            )
        )
        found: list[RecentPaper] = []
        with self.engine.connect() as conn:
            for pid, arxiv_id, announced, first_seen in conn.execute(stmt):
                if isinstance(announced, datetime):
                    day = announced.date()
                elif isinstance(announced, date):
                    day = announced
                elif announced is not None:
                    day = date.fromisoformat(str(announced))
                else:
                    day = first_seen.date()
                found.append(RecentPaper(int(pid), str(arxiv_id), day))
        return found
