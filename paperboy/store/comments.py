"""Storage of comments on papers: one level of replies, edit, delete, admin hiding.

A reply to a reply is stored as a reply to the top-level comment. Deleting a comment
that has replies keeps the row as a ``deleted`` placeholder (body emptied); otherwise the
row goes. Hiding is a flag an admin sets or clears. Each row keeps the body's rendered
HTML next to it (``html``, written by the caller; None for rows written before it was
kept), so a page shows comments without rendering them again. Threads (a top-level
comment and its replies) are read a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from paperboy.clock import utcnow
from paperboy.errors import NotFound
from paperboy.store._rows import Repository, bump_counter
from paperboy.store.models import comments, papers, users


@dataclass(frozen=True, slots=True)
class StoredComment:
    id: int
    paper_id: int
    user_id: int
    parent_id: int | None
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    hidden: bool
    author: str  # the author's display name
    html: str | None = None  # the body rendered when written (None: not yet)


def _select() -> Any:
    return select(
        comments.c.id,
        comments.c.paper_id,
        comments.c.user_id,
        comments.c.parent_id,
        comments.c.body,
        comments.c.body_html,
        comments.c.created_at,
        comments.c.edited_at,
        comments.c.deleted,
        comments.c.hidden,
        users.c.display_name.label("author"),
    ).select_from(comments.join(users, users.c.id == comments.c.user_id))


def _to_comment(row: Any) -> StoredComment:
    return StoredComment(
        id=int(row["id"]),
        paper_id=int(row["paper_id"]),
        user_id=int(row["user_id"]),
        parent_id=int(row["parent_id"]) if row["parent_id"] is not None else None,
        body=row["body"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        deleted=bool(row["deleted"]),
        hidden=bool(row["hidden"]),
        author=row["author"],
        html=row["body_html"],
    )


class CommentStore(Repository):
    def add_comment(
        self,
        paper_id: int,
        user_id: int,
        body: str,
        *,
        html: str | None = None,
        parent_id: int | None = None,
        now: datetime | None = None,
    ) -> StoredComment:
        """A new comment; a reply to a reply attaches to the top-level comment. The
        parent must be a comment on the same paper (NotFound otherwise)."""
        at = now or utcnow()
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            if conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first() is None:
                raise NotFound("no such paper")
            if parent_id is not None:
                parent = conn.execute(
                    select(comments.c.paper_id, comments.c.parent_id).where(
                        comments.c.id == parent_id
                    )
                ).first()
                if parent is None or int(parent[0]) != paper_id:
                    raise NotFound(f"no comment {parent_id} on this paper")
                if parent[1] is not None:
                    parent_id = int(parent[1])
            new_id = conn.execute(
                insert(comments)
                .values(
                    paper_id=paper_id,
                    user_id=user_id,
                    parent_id=parent_id,
                    body=body,
                    body_html=html,
                    created_at=at,
                    edited_at=None,
                    deleted=False,
                    hidden=False,
                )
                .returning(comments.c.id)
            ).scalar_one()
        found = self.get_comment(int(new_id))
        assert found is not None
        return found

    def get_comment(self, comment_id: int) -> StoredComment | None:
        with self.engine.connect() as conn:
            row = conn.execute(_select().where(comments.c.id == comment_id)).mappings().first()
        return _to_comment(row) if row else None

    def paper_comments(self, paper_id: int) -> list[StoredComment]:
        """Every comment on a paper (deleted and hidden ones included), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                _select()
                .where(comments.c.paper_id == paper_id)
                .order_by(comments.c.created_at, comments.c.id)
            ).mappings()
            return [_to_comment(r) for r in rows]

    def comment_counts(self, paper_ids: list[int]) -> dict[int, int]:
        """Visible (not deleted, not hidden) comments per paper."""
        if not paper_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(comments.c.paper_id, func.count())
                .where(
                    comments.c.paper_id.in_(paper_ids),
                    comments.c.deleted.is_(False),
                    comments.c.hidden.is_(False),
                )
                .group_by(comments.c.paper_id)
            )
            return {int(pid): int(n) for pid, n in rows}

    def thread_count(self, paper_id: int) -> int:
        """Top-level comments on a paper (deleted placeholders included)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        comments.c.paper_id == paper_id, comments.c.parent_id.is_(None)
                    )
                ).scalar_one()
            )

    def thread_page(self, paper_id: int, *, offset: int, limit: int) -> list[StoredComment]:
        """The top-level comments ``offset`` to ``offset + limit`` (oldest first) and all
        their replies, oldest first: two queries however long the page."""
        with self.engine.connect() as conn:
            top = (
                conn.execute(
                    _select()
                    .where(comments.c.paper_id == paper_id, comments.c.parent_id.is_(None))
                    .order_by(comments.c.created_at, comments.c.id)
                    .offset(offset)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
            ids = [int(r["id"]) for r in top]
            replies: list[Any] = []
            if ids:  # at most comment_threads_per_page ids
                replies = list(
                    conn.execute(
                        _select()
                        .where(comments.c.parent_id.in_(ids))
                        .order_by(comments.c.created_at, comments.c.id)
                    ).mappings()
                )
            return [_to_comment(r) for r in [*top, *replies]]

    def threads_before(self, comment: StoredComment) -> int:
        """How many top-level comments on its paper come before ``comment``'s thread."""
        top_id = comment.parent_id or comment.id
        with self.engine.connect() as conn:
            top = conn.execute(select(comments.c.created_at).where(comments.c.id == top_id)).first()
            if top is None:
                return 0
            earlier = or_(
                comments.c.created_at < top[0],
                and_(comments.c.created_at == top[0], comments.c.id < top_id),
            )
            return int(
                conn.execute(
                    select(func.count()).where(
                        comments.c.paper_id == comment.paper_id,
                        comments.c.parent_id.is_(None),
                        earlier,
                    )
                ).scalar_one()
            )

    def comment_times(self, user_id: int, since: datetime) -> list[datetime]:
        """When the account wrote each of its comments since ``since``, oldest first
        (deleted ones that left no row are not counted)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(comments.c.created_at)
                .where(comments.c.user_id == user_id, comments.c.created_at >= since)
                .order_by(comments.c.created_at)
            )
            return [r[0] for r in rows]

    def save_html(self, rendered: dict[int, str]) -> None:
        """Keep the rendered HTML of comments written before it was kept."""
        if not rendered:
            return
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            for comment_id, html in rendered.items():
                conn.execute(
                    update(comments).where(comments.c.id == comment_id).values(body_html=html)
                )

    def edit_comment(
        self, comment_id: int, body: str, *, html: str | None = None, now: datetime | None = None
    ) -> None:
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            conn.execute(
                update(comments)
                .where(comments.c.id == comment_id)
                .values(body=body, body_html=html, edited_at=now or utcnow())
            )

    def delete_comment(self, comment_id: int) -> None:
        """Remove a comment; one with replies stays as an emptied ``deleted`` placeholder."""
        replies = select(comments.c.id).where(comments.c.parent_id == comment_id)
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            if conn.execute(select(exists(replies))).scalar():
                conn.execute(
                    update(comments)
                    .where(comments.c.id == comment_id)
                    .values(deleted=True, body="", body_html=None)
                )
            else:
                conn.execute(delete(comments).where(comments.c.id == comment_id))

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            conn.execute(update(comments).where(comments.c.id == comment_id).values(hidden=hidden))
