"""Storage of reader submissions: one row per submitted paper in ``submissions``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select

from paperboy.store.accounts import StoredUser, _to_user, utcnow
from paperboy.store.models import submissions, users


@dataclass(frozen=True, slots=True)
class Submission:
    """Who submitted a paper, and when (naive UTC)."""

    user: StoredUser
    created_at: datetime


class SubmissionStoreMixin:
    engine: Engine

    def add_submission(self, paper_id: int, user_id: int, *, now: datetime | None = None) -> None:
        """Record that the account submitted the paper (IntegrityError if already submitted)."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(submissions).values(
                    paper_id=paper_id, user_id=user_id, created_at=now or utcnow()
                )
            )

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
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
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
