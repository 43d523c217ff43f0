"""Storage of readers' libraries: saved papers (``library_items``, with a private note)
and their named collections (``library_tags``, one row per paper and tag).

A collection name is compared case-insensitively per reader: saving into "ml" when the
reader already has "ML" files the paper under "ML", so a reader never ends up with two
collections that look the same. Limits (items and collections per reader) are passed by
the caller from the settings; the store refuses past them with LibraryFull and
CollectionLimit (both Conflict, 409).

Text filtering happens in Python over the reader's (bounded) library rather than with
SQL ``lower()/LIKE``: SQLite lowercases only ASCII and the authors are a JSON column
whose text form escapes non-ASCII, so "Müller" would not match there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import CollectionLimit, InvalidInput, LibraryFull, NotFound
from paperboy.store._rows import Repository, chunked
from paperboy.store.models import library_items, library_tags, papers, users

if TYPE_CHECKING:
    from paperboy.store.papers import StoredPaper

MAX_TAG_CHARS = 64
DEFAULT_MAX_ITEMS = 10_000
DEFAULT_MAX_TAGS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_WS = re.compile(r"\s+")

LibrarySort = Literal["saved", "announced", "title"]
SORTS: tuple[LibrarySort, ...] = ("saved", "announced", "title")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """A saved paper as its reader sees it."""

    paper: StoredPaper
    note: str | None
    tags: list[str]
    saved_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LibraryPage:
    entries: list[LibraryEntry]
    total: int  # entries matching the filters, over all pages


@dataclass(frozen=True, slots=True)
class TagCount:
    tag: str
    count: int


def clean_tag(raw: str) -> str:
    """A collection name as stored: NFC, control characters dropped, whitespace collapsed,
    1 to 64 characters. Raises InvalidInput otherwise."""
    text = _WS.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", raw))).strip()
    if not text:
        raise InvalidInput("a collection name cannot be empty")
    if len(text) > MAX_TAG_CHARS:
        raise InvalidInput(f"a collection name has at most {MAX_TAG_CHARS} characters")
    return text


def clean_tags(raw: Iterable[str]) -> list[str]:
    """Cleaned names, first spelling wins among case-insensitive duplicates."""
    found: dict[str, str] = {}
    for item in raw:
        tag = clean_tag(item)
        found.setdefault(tag.casefold(), tag)
    return list(found.values())


def _matches(terms: list[str], *fields: str | None) -> bool:
    haystack = "\n".join(f for f in fields if f).casefold()
    return all(term in haystack for term in terms)


class LibraryStore(Repository):
    # -- writing ---------------------------------------------------------------------

    def save(
        self,
        user_id: int,
        paper_id: int,
        *,
        tags: Iterable[str] = (),
        note: str | None = None,
        replace_tags: bool = False,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_tags: int = DEFAULT_MAX_TAGS,
        now: datetime | None = None,
    ) -> bool:
        """Save the paper (idempotent) and add it to ``tags`` (``replace_tags``: make them
        exactly its collections); a given ``note`` replaces the note. All or nothing.
        True when the paper was not saved before. NotFound for an unknown paper,
        LibraryFull past ``max_items`` saved papers, CollectionLimit past ``max_tags``
        collections (both a Conflict)."""
        wanted = clean_tags(tags)
        at = now or utcnow()
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    self._lock_reader(conn, user_id)
                    created = self._ensure_item(conn, user_id, paper_id, at, max_items)
                    if note is not None:
                        self._write_note(conn, user_id, paper_id, note, at)
                    if replace_tags:
                        self._replace_tags(conn, user_id, paper_id, wanted, at, max_tags)
                    else:
                        self._add_tags(conn, user_id, paper_id, wanted, at, max_tags)
                    return created
            except IntegrityError:
                # a concurrent save of the same paper (or tag) won; the second attempt
                # sees its rows
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def unsave(self, user_id: int, paper_id: int) -> bool:
        """Remove the paper and its collection memberships; False if it was not saved."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(library_tags).where(
                    library_tags.c.user_id == user_id, library_tags.c.paper_id == paper_id
                )
            )
            removed = conn.execute(
                delete(library_items).where(
                    library_items.c.user_id == user_id, library_items.c.paper_id == paper_id
                )
            ).rowcount
        return bool(removed)

    def set_note(
        self, user_id: int, paper_id: int, note: str | None, *, now: datetime | None = None
    ) -> None:
        """Replace the private note of a saved paper (empty or None clears it)."""
        with self.engine.begin() as conn:
            self._require_item(conn, user_id, paper_id)
            self._write_note(conn, user_id, paper_id, note, now or utcnow())

    def set_tags(
        self,
        user_id: int,
        paper_id: int,
        tags: Iterable[str],
        *,
        max_tags: int = DEFAULT_MAX_TAGS,
        now: datetime | None = None,
    ) -> list[str]:
        """Make ``tags`` exactly the saved paper's collections; returns them as stored."""
        wanted = clean_tags(tags)
        at = now or utcnow()
        with self.engine.begin() as conn:
            self._lock_reader(conn, user_id)
            self._require_item(conn, user_id, paper_id)
            self._replace_tags(conn, user_id, paper_id, wanted, at, max_tags)
        return self.tags_of(user_id, paper_id)

    def add_tag(
        self,
        user_id: int,
        paper_id: int,
        tag: str,
        *,
        max_tags: int = DEFAULT_MAX_TAGS,
        now: datetime | None = None,
    ) -> str:
        """Add a saved paper to a collection; returns the collection's stored spelling."""
        wanted = clean_tags([tag])
        at = now or utcnow()
        with self.engine.begin() as conn:
            self._lock_reader(conn, user_id)
            self._require_item(conn, user_id, paper_id)
            stored = self._add_tags(conn, user_id, paper_id, wanted, at, max_tags)
            self._touch(conn, user_id, paper_id, at)
        return stored[0]

    def remove_tag(self, user_id: int, paper_id: int, tag: str) -> bool:
        """Take a paper out of a collection (case-insensitive name); False if it was not in
        it. The paper stays saved."""
        key = clean_tag(tag).casefold()
        with self.engine.begin() as conn:
            names = [t for t in self._canonical_tags(conn, user_id).values() if t.casefold() == key]
            if not names:
                return False
            removed = conn.execute(
                delete(library_tags).where(
                    library_tags.c.user_id == user_id,
                    library_tags.c.paper_id == paper_id,
                    library_tags.c.tag.in_(names),
                )
            ).rowcount
            if removed:
                self._touch(conn, user_id, paper_id, utcnow())
        return bool(removed)

    def rename_tag(self, user_id: int, old: str, new: str, *, now: datetime | None = None) -> int:
        """Rename a collection (case-insensitive ``old``); into an existing collection it
        merges. Returns the papers moved; NotFound for an unknown collection."""
        target = clean_tag(new)
        key = clean_tag(old).casefold()
        at = now or utcnow()
        with self.engine.begin() as conn:
            self._lock_reader(conn, user_id)
            canonical = self._canonical_tags(conn, user_id)
            source = [t for t in canonical.values() if t.casefold() == key]
            if not source:
                raise NotFound("you have no collection of that name")
            into = canonical.get(target.casefold(), target)
            if target.casefold() == key:
                into = target  # a change of spelling only
            rows = conn.execute(
                select(library_tags.c.paper_id).where(
                    library_tags.c.user_id == user_id, library_tags.c.tag.in_(source)
                )
            ).all()
            moved = sorted({int(r[0]) for r in rows})
            have = {
                int(r[0])
                for r in conn.execute(
                    select(library_tags.c.paper_id).where(
                        library_tags.c.user_id == user_id, library_tags.c.tag == into
                    )
                )
            }
            conn.execute(
                delete(library_tags).where(
                    library_tags.c.user_id == user_id, library_tags.c.tag.in_(source)
                )
            )
            fresh = [pid for pid in moved if pid not in have or into in source]
            if fresh:
                conn.execute(
                    insert(library_tags),
                    [
                        {"user_id": user_id, "paper_id": pid, "tag": into, "created_at": at}
                        for pid in fresh
                    ],
                )
        return len(moved)

    def delete_tag(self, user_id: int, tag: str) -> int:
        """Delete a collection (case-insensitive); its papers stay saved. Returns how many
        papers were in it."""
        key = clean_tag(tag).casefold()
        with self.engine.begin() as conn:
            names = [t for t in self._canonical_tags(conn, user_id).values() if t.casefold() == key]
            if not names:
                return 0
            return int(
                conn.execute(
                    delete(library_tags).where(
                        library_tags.c.user_id == user_id, library_tags.c.tag.in_(names)
                    )
                ).rowcount
            )

    # -- reading ---------------------------------------------------------------------

    def saved_paper_ids(self, user_id: int) -> dict[int, datetime]:
        """Every paper the reader saved, with when (for recommendations and feeds)."""
        query = select(library_items.c.paper_id, library_items.c.created_at).where(
            library_items.c.user_id == user_id
        )
        with self.engine.connect() as conn:
            return {int(pid): at for pid, at in conn.execute(query)}

    def saved_among(self, user_id: int, paper_ids: Iterable[int]) -> set[int]:
        """Which of these papers the reader saved (one query per 500, for listings)."""
        ids = list(dict.fromkeys(paper_ids))
        found: set[int] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(library_items.c.paper_id).where(
                        library_items.c.user_id == user_id,
                        library_items.c.paper_id.in_(chunk),
                    )
                )
                found.update(int(r[0]) for r in rows)
        return found

    def count_saved(self, user_id: int) -> int:
        query = select(func.count()).where(library_items.c.user_id == user_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def tag_counts(self, user_id: int) -> list[TagCount]:
        """The reader's collections with how many papers each holds, by name."""
        n = func.count()
        query = (
            select(library_tags.c.tag, n)
            .where(library_tags.c.user_id == user_id)
            .group_by(library_tags.c.tag)
        )
        with self.engine.connect() as conn:
            counts = [TagCount(str(tag), int(count)) for tag, count in conn.execute(query)]
        return sorted(counts, key=lambda t: (t.tag.casefold(), t.tag))

    def tags_of(self, user_id: int, paper_id: int) -> list[str]:
        return self._tags_by_paper(user_id, [paper_id]).get(paper_id, [])

    def library_entry(self, user_id: int, paper_id: int) -> LibraryEntry | None:
        """One saved paper with note and collections, or None when it is not saved."""
        found = self._entries(user_id, [paper_id])
        return found[0] if found else None

    def library_entries(
        self,
        user_id: int,
        *,
        tag: str | None = None,
        text: str | None = None,
        sort: LibrarySort = "saved",
        limit: int | None = 50,
        offset: int = 0,
    ) -> LibraryPage:
        """The reader's saved papers, newest saved first (``announced``: newest announced
        first; ``title``: A to Z), only those in collection ``tag`` (case-insensitive)
        and those whose title, authors or note contain every word of ``text``."""
        if sort not in SORTS:
            raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
        where = [library_items.c.user_id == user_id]
        if tag is not None:
            key = clean_tag(tag).casefold()
            with self.engine.connect() as conn:
                names = [
                    t for t in self._canonical_tags(conn, user_id).values() if t.casefold() == key
                ]
            if not names:
                return LibraryPage([], 0)
            where.append(
                library_items.c.paper_id.in_(
                    select(library_tags.c.paper_id).where(
                        library_tags.c.user_id == user_id, library_tags.c.tag.in_(names)
                    )
                )
            )
        orders: dict[str, list[Any]] = {
            "saved": [library_items.c.created_at.desc(), papers.c.id.desc()],
            "announced": [
                papers.c.announced.is_(None),
                papers.c.announced.desc(),
                library_items.c.created_at.desc(),
            ],
            "title": [papers.c.title, papers.c.id],
        }
        order = orders[sort]
        terms = text.casefold().split() if text else []
        joined = papers.join(library_items, library_items.c.paper_id == papers.c.id)
        with self.engine.connect() as conn:
            if not terms:  # the database pages
                total = conn.execute(
                    select(func.count()).select_from(joined).where(*where)
                ).scalar_one()
                query = select(papers.c.id).select_from(joined).where(*where).order_by(*order)
                if limit is not None:
                    query = query.limit(limit)
                page_ids = [int(r[0]) for r in conn.execute(query.offset(offset))]
                return LibraryPage(self._entries(user_id, page_ids), int(total))
            query = (
                select(papers.c.id, papers.c.title, papers.c.authors, library_items.c.note)
                .select_from(joined)
                .where(*where)
                .order_by(*order)
            )
            rows = [
                r for r in conn.execute(query) if _matches(terms, r[1], "\n".join(r[2] or []), r[3])
            ]
        end = None if limit is None else offset + limit
        page_ids = [int(r[0]) for r in rows[offset:end]]
        return LibraryPage(self._entries(user_id, page_ids), len(rows))

    # -- helpers ---------------------------------------------------------------------

    def _entries(self, user_id: int, paper_ids: Sequence[int]) -> list[LibraryEntry]:
        """Entries for saved papers, in the given order (unsaved ones are left out)."""
        from paperboy.store.papers import _to_paper  # papers.py imports this module

        if not paper_ids:
            return []
        rows: dict[int, tuple[StoredPaper, str | None, datetime, datetime]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(paper_ids):
                query = (
                    select(
                        papers,
                        library_items.c.note.label("_note"),
                        library_items.c.created_at.label("_saved_at"),
                        library_items.c.updated_at.label("_updated_at"),
                    )
                    .join(library_items, library_items.c.paper_id == papers.c.id)
                    .where(library_items.c.user_id == user_id, papers.c.id.in_(chunk))
                )
                for row in conn.execute(query).mappings():
                    rows[int(row["id"])] = (
                        _to_paper(row),
                        row["_note"],
                        row["_saved_at"],
                        row["_updated_at"],
                    )
        tags = self._tags_by_paper(user_id, list(rows))
        return [
            LibraryEntry(paper, note, tags.get(pid, []), saved_at, updated_at)
            for pid in paper_ids
            if pid in rows
            for paper, note, saved_at, updated_at in [rows[pid]]
        ]

    def _tags_by_paper(self, user_id: int, paper_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(paper_ids):
                query = select(library_tags.c.paper_id, library_tags.c.tag).where(
                    library_tags.c.user_id == user_id,
                    library_tags.c.paper_id.in_(chunk),
                )
                for pid, tag in conn.execute(query):
                    found.setdefault(int(pid), []).append(str(tag))
        for names in found.values():
            names.sort(key=lambda t: (t.casefold(), t))
        return found

    @staticmethod
    def _canonical_tags(conn: Connection, user_id: int) -> dict[str, str]:
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

    @staticmethod
    def _require_item(conn: Connection, user_id: int, paper_id: int) -> None:
        exists = conn.execute(
            select(library_items.c.paper_id).where(
                library_items.c.user_id == user_id, library_items.c.paper_id == paper_id
            )
        ).first()
        if exists is None:
            raise NotFound("that paper is not in your library")

    @staticmethod
    def _lock_reader(conn: Connection, user_id: int) -> None:
        """Take the reader's lock before counting and inserting: a no-op UPDATE of their
        account row, which PostgreSQL row-locks and SQLite answers by taking its write
        lock at once. Two saves of one reader then run one after the other, so limits
        and case-insensitive collection names hold under concurrency."""
        conn.execute(update(users).where(users.c.id == user_id).values(id=users.c.id))

    @staticmethod
    def _ensure_item(
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
            raise LibraryFull(
                f"your library is full ({max_items} papers); remove some papers first"
            )
        conn.execute(
            insert(library_items).values(
                user_id=user_id, paper_id=paper_id, note=None, created_at=at, updated_at=at
            )
        )
        return True

    @staticmethod
    def _write_note(
        conn: Connection, user_id: int, paper_id: int, note: str | None, at: datetime
    ) -> None:
        text = (note or "").replace("\r\n", "\n").strip() or None
        conn.execute(
            update(library_items)
            .where(library_items.c.user_id == user_id, library_items.c.paper_id == paper_id)
            .values(note=text, updated_at=at)
        )

    @staticmethod
    def _touch(conn: Connection, user_id: int, paper_id: int, at: datetime) -> None:
        conn.execute(
            update(library_items)
            .where(library_items.c.user_id == user_id, library_items.c.paper_id == paper_id)
            .values(updated_at=at)
        )

    def _replace_tags(
        self,
        conn: Connection,
        user_id: int,
        paper_id: int,
        wanted: list[str],
        at: datetime,
        max_tags: int,
    ) -> None:
        canonical = self._canonical_tags(conn, user_id)
        keep = {canonical.get(t.casefold(), t) for t in wanted}
        dropped = delete(library_tags).where(
            library_tags.c.user_id == user_id, library_tags.c.paper_id == paper_id
        )
        if keep:
            dropped = dropped.where(library_tags.c.tag.not_in(keep))
        conn.execute(dropped)
        self._add_tags(conn, user_id, paper_id, wanted, at, max_tags)
        self._touch(conn, user_id, paper_id, at)

    def _add_tags(
        self,
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
        canonical = self._canonical_tags(conn, user_id)
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
