"""Follows (migration 0016): what a reader follows, under a per-reader limit checked in
the same transaction as the insert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select

from paperboy.clock import utcnow
from paperboy.errors import Conflict
from paperboy.store._rows import Repository, as_date, chunked
from paperboy.store.db import insert_ignoring_duplicates
from paperboy.store.models import follows as follows_table
from paperboy.store.models import paper_authors, paper_categories, papers


class FollowLimit(Conflict):
    """The reader already follows ``following_max`` things."""


@dataclass(frozen=True, slots=True)
class StoredFollow:
    kind: str  # author, category, search
    key: str
    value: str
    created_at: datetime


class FollowStore(Repository):
    """A reader's follows, and the recent papers of a category."""

    def follows_of(self, user_id: int) -> list[StoredFollow]:
        """Oldest first (the order they were added in)."""
        t = follows_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.kind, t.c.key, t.c.value, t.c.created_at)
                .where(t.c.user_id == user_id)
                .order_by(t.c.id)
            ).all()
        return [StoredFollow(str(k), str(key), str(v), c) for k, key, v, c in rows]

    def add(self, user_id: int, items: Sequence[tuple[str, str, str]], limit: int) -> int:
        """Follow ``(kind, key, value)`` items, skipping ones already followed; returns how
        many were new. All or nothing: past ``limit`` nothing is added (FollowLimit)."""
        t = follows_table
        with self.engine.begin() as conn:
            have = {
                (str(k), str(key))
                for k, key in conn.execute(select(t.c.kind, t.c.key).where(t.c.user_id == user_id))
            }
            new = list({(k, key): v for k, key, v in items if (k, key) not in have}.items())
            if not new:
                return 0
            if len(have) + len(new) > limit:
                raise FollowLimit(
                    f"you can follow at most {limit} authors, categories and searches; "
                    f"you follow {len(have)}"
                )
            now = utcnow()
            conn.execute(
                insert_ignoring_duplicates(conn.engine, t),
                [
                    {"user_id": user_id, "kind": k, "key": key, "value": v, "created_at": now}
                    for (k, key), v in new
                ],
            )
            return len(new)

    def remove(self, user_id: int, kind: str, key: str) -> bool:
        t = follows_table
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(t).where(t.c.user_id == user_id, t.c.kind == kind, t.c.key == key)
            ).rowcount
        return bool(gone)

    def window(self, since: date) -> dict[int, date]:
        """paper id -> announced, for the papers announced since ``since``: read from the
        (announced, id) index alone, never from the wide paper rows. Hidden papers are
        left to the caller (``store.moderation.hidden_paper_ids``, cached)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(papers.c.id, papers.c.announced).where(papers.c.announced >= since)
            )
            return {int(pid): as_date(day) or since for pid, day in rows}

    def category_papers(
        self, categories: Sequence[str], paper_ids: Sequence[int]
    ) -> list[tuple[int, str]]:
        """(paper id, category) of these papers in any of ``categories`` (cross-lists
        included), by the (paper, category) key."""
        found: list[tuple[int, str]] = []
        if not categories:
            return found
        with self.engine.connect() as conn:
            for chunk in chunked(list(paper_ids)):
                found += [
                    (int(pid), str(cat))
                    for pid, cat in conn.execute(
                        select(paper_categories.c.paper_id, paper_categories.c.category).where(
                            paper_categories.c.paper_id.in_(chunk),
                            paper_categories.c.category.in_(list(categories)),
                        )
                    )
                ]
        return found

    def author_papers(self, author_ids: Sequence[int]) -> list[tuple[int, int]]:
        """(paper id, author id) of every paper with any of these names on it, from the
        (author, paper) index alone."""
        found: list[tuple[int, int]] = []
        with self.engine.connect() as conn:
            for chunk in chunked(list(author_ids)):
                found += [
                    (int(pid), int(aid))
                    for aid, pid in conn.execute(
                        select(paper_authors.c.author_id, paper_authors.c.paper_id).where(
                            paper_authors.c.author_id.in_(chunk)
                        )
                    )
                ]
        return found

    def visible_days(self, arxiv_ids: Sequence[str]) -> dict[str, tuple[int, date | None]]:
        """arXiv id -> (paper id, announced) of the visible papers among these."""
        found: dict[str, tuple[int, date | None]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(list(arxiv_ids)):
                for pid, arxiv_id, day in conn.execute(
                    select(papers.c.id, papers.c.arxiv_id, papers.c.announced).where(
                        papers.c.arxiv_id.in_(chunk), papers.c.hidden.is_(False)
                    )
                ):
                    found[str(arxiv_id)] = (int(pid), as_date(day))
        return found

    def count(self, user_id: int) -> int:
        t = follows_table
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(t).where(t.c.user_id == user_id)
                ).scalar_one()
            )
