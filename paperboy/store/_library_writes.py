"""The statements a library write is made of, run inside the caller's transaction.

Private to ``store.library``: each takes the open connection, so ``LibraryStore`` can
compose several into one transaction (lock the reader, add the item, write the note,
replace the collections)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from paperboy.errors import CollectionLimit, LibraryFull, NotFound
from paperboy.store.models import library_items, library_tags, papers, users


def canonical_tags(conn: Connection, user_id: int) -> dict[str, str]:
    """casefolded name -> the spelling the reader's collection is stored under."""
    query = (
        select(library_tags.c.tag)
        .where(library_tags.c.user_id == user_id)
        .group_by(library_tags.c.tag)
        .order_by(func.min(library_tags.c.created_at), library_tags.c.tag)
    )
    found: dict[str, str] = {}
    for (tag,) in conn.execute(query):
        found.setdefault(str(tag).casefold(), str(tag))
    return found


def require_item(conn: Connection, user_id: int, paper_id: int) -> None:
    exists = conn.execute(
        select(library_items.c.paper_id).where(
            library_items.c.user_id == user_id, library_items.c.paper_id == paper_id
        )
    ).first()
    if exists is None:
        raise NotFound("that paper is not in your library")


def lock_reader(conn: Connection, user_id: int) -> None:
    """Take the reader's lock before counting and inserting: a no-op UPDATE of their
    account row, which PostgreSQL row-locks and SQLite answers by taking its write
    lock at once. Two saves of one reader then run one after the other, so limits
    and case-insensitive collection names hold under concurrency."""
    conn.execute(update(users).where(users.c.id == user_id).values(id=users.c.id))


def ensure_item(
    conn: Connection, user_id: int, paper_id: int, at: datetime, max_items: int
) -> bool:
    exists = conn.execute(
        select(library_items.c.paper_id).where(
            library_items.c.user_id == user_id, library_items.c.paper_id == paper_id
        )
    ).first()
    if exists is not None:
        return False
    if conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first() is None:
        raise NotFound("no such paper")
    count = conn.execute(
        select(func.count()).where(library_items.c.user_id == user_id)
    ).scalar_one()
    if int(count) >= max_items:
        raise LibraryFull(f"your library is full ({max_items} papers); remove some papers first")
    conn.execute(
        insert(library_items).values(
            user_id=user_id, paper_id=paper_id, note=None, created_at=at, updated_at=at
        )
    )
    return True


def write_note(
    conn: Connection, user_id: int, paper_id: int, note: str | None, at: datetime
) -> None:
    text = (note or "").replace("\r\n", "\n").strip() or None
    conn.execute(
        update(library_items)
        .where(library_items.c.user_id == user_id, library_items.c.paper_id == paper_id)
        .values(note=text, updated_at=at)
    )


def touch(conn: Connection, user_id: int, paper_id: int, at: datetime) -> None:
    conn.execute(
        update(library_items)
        .where(library_items.c.user_id == user_id, library_items.c.paper_id == paper_id)
        .values(updated_at=at)
    )


def replace_tags(
    conn: Connection,
    user_id: int,
    paper_id: int,
    wanted: list[str],
    at: datetime,
    max_tags: int,
) -> None:
    canonical = canonical_tags(conn, user_id)
    keep = {canonical.get(t.casefold(), t) for t in wanted}
    dropped = delete(library_tags).where(
        library_tags.c.user_id == user_id, library_tags.c.paper_id == paper_id
    )
    if keep:
        dropped = dropped.where(library_tags.c.tag.not_in(keep))
    conn.execute(dropped)
    add_tags(conn, user_id, paper_id, wanted, at, max_tags)
    touch(conn, user_id, paper_id, at)


def add_tags(
    conn: Connection,
    user_id: int,
    paper_id: int,
    wanted: list[str],
    at: datetime,
    max_tags: int,
) -> list[str]:
    """Add cleaned tags under their existing spelling; returns the stored names."""
    if not wanted:
        return []
    canonical = canonical_tags(conn, user_id)
    stored = [canonical.get(t.casefold(), t) for t in wanted]
    new = [t for t in wanted if t.casefold() not in canonical]
    if new and len(canonical) + len(new) > max_tags:
        raise CollectionLimit(
            f"you can have at most {max_tags} collections; remove a collection first"
        )
    have = {
        str(t)
        for (t,) in conn.execute(
            select(library_tags.c.tag).where(
                library_tags.c.user_id == user_id, library_tags.c.paper_id == paper_id
            )
        )
    }
    rows = [
        {"user_id": user_id, "paper_id": paper_id, "tag": t, "created_at": at}
        for t in dict.fromkeys(stored)
        if t not in have
    ]
    if rows:
        conn.execute(insert(library_tags), rows)
    return stored
