"""Storage of reader submissions: one row per submitted paper in ``submissions``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from paperboy.arxiv import PaperRecord
from paperboy.clock import utcnow
from paperboy.errors import AlreadyExists
from paperboy.store._rows import Repository, chunked
from paperboy.store.accounts import StoredUser, _to_user
from paperboy.store.models import papers, submissions, users
from paperboy.store.papers import PaperStore


@dataclass(frozen=True, slots=True)
class Submission:
    """Who submitted a paper, and when (naive UTC)."""

    user: StoredUser
    created_at: datetime


class SubmissionStore(Repository):
    def __init__(self, engine: Engine, papers: PaperStore) -> None:
        super().__init__(engine)
        self._papers = papers

    def add_submission(
        self,
        paper_id: int,
        user_id: int,
        *,
        now: datetime | None = None,
        daily_limit: int | None = None,
    ) -> bool:
        """Record that the account submitted the paper (AlreadyExists if the paper was
        already submitted). With ``daily_limit``, atomically: False, and nothing stored,
        when the account already has that many submissions since ``now``'s UTC midnight.
        """
        now = now or utcnow()
        try:
            with self.engine.begin() as conn:
                if not self._add(conn, paper_id, user_id, now, daily_limit):
                    conn.rollback()
                    return False
        except IntegrityError:
            raise AlreadyExists("that paper was already submitted") from None
        return True

    def submit_paper(
        self, record: PaperRecord, user_id: int, *, now: datetime, daily_limit: int | None
    ) -> int | None:
        """Store the paper and the account's submission of it in one transaction; its
        id. None, and nothing stored (not the paper either), when the daily limit
        refuses; AlreadyExists when the paper is stored meanwhile (a concurrent
        submission or harvest got it in first)."""
        try:
            with self.engine.begin() as conn:
                if conn.execute(
                    select(papers.c.id).where(papers.c.arxiv_id == record.arxiv_id)
                ).first():
                    raise AlreadyExists("that paper is already on paperboy")
                self._papers._upsert(conn, [record])
                paper_id = conn.execute(
                    select(papers.c.id).where(papers.c.arxiv_id == record.arxiv_id)
                ).scalar_one()
                if not self._add(conn, int(paper_id), user_id, now, daily_limit):
                    conn.rollback()
                    return None
                return int(paper_id)
        except IntegrityError:
            raise AlreadyExists("that paper is already on paperboy") from None

    @staticmethod
    def _add(
        conn: Connection, paper_id: int, user_id: int, now: datetime, daily_limit: int | None
    ) -> bool:
        """Insert the submission; False (the caller rolls back) when over the limit.

        The row goes in first and the count runs after it in the same transaction, so
        two submissions at once cannot both slip under the limit: SQLite lets one writer
        in at a time, and on PostgreSQL the account's row is locked first."""
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if daily_limit is not None:
            # FOR UPDATE on PostgreSQL; SQLite has one writer at a time anyway and
            # SQLAlchemy leaves the clause out there.
            conn.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
        conn.execute(insert(submissions).values(paper_id=paper_id, user_id=user_id, created_at=now))
        if daily_limit is None:
            return True
        count = conn.execute(
            select(func.count())
            .select_from(submissions)
            .where(submissions.c.user_id == user_id, submissions.c.created_at >= midnight)
        ).scalar_one()
        return int(count) <= daily_limit

    def count_submissions_since(self, user_id: int, since: datetime) -> int:
        """How many papers the account submitted at or after ``since`` (naive UTC)."""
        query = (
            select(func.count())
            .select_from(submissions)
            .where(submissions.c.user_id == user_id, submissions.c.created_at >= since)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def submitters(self, paper_ids: Iterable[int]) -> dict[int, str]:
        """Display name of the submitter of each submitted paper among ``paper_ids``."""
        ids = list(paper_ids)
        if not ids:
            return {}
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                query = (
                    select(submissions.c.paper_id, users.c.display_name)
                    .join(users, users.c.id == submissions.c.user_id)
                    .where(submissions.c.paper_id.in_(chunk))
                )
                found.update({pid: name for pid, name in conn.execute(query)})
        return found

    def submissions_of(self, paper_ids: Iterable[int]) -> dict[int, Submission]:
        """The submission (submitter account and time) of each submitted paper among
        ``paper_ids``; the Hugging Face compatible API shows it as ``submittedBy``."""
        ids = list(paper_ids)
        found: dict[int, Submission] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = (
                    select(
                        users,
                        submissions.c.paper_id.label("submitted_paper_id"),
                        submissions.c.created_at.label("submitted_at"),
                    )
                    .join(users, users.c.id == submissions.c.user_id)
                    .where(submissions.c.paper_id.in_(ids[start : start + 500]))
                )
                for row in conn.execute(query).mappings():
                    found[int(row["submitted_paper_id"])] = Submission(
                        _to_user(row), row["submitted_at"]
                    )
        return found
