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

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import InvalidInput, NotFound
from paperboy.store import _library_writes as writes
from paperboy.store._library_writes import (
    add_tags,
    canonical_tags,
    ensure_item,
    lock_reader,
    replace_tags,
    require_item,
    touch,
    write_note,
)
from paperboy.store._rows import Repository, chunked
from paperboy.store.models import library_items, library_tags, papers

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
                    lock_reader(conn, user_id)
                    created = ensure_item(conn, user_id, paper_id, at, max_items)
                    if note is not None:
                        write_note(conn, user_id, paper_id, note, at)
                    if replace_tags:
                        writes.replace_tags(conn, user_id, paper_id, wanted, at, max_tags)
                    else:
                        add_tags(conn, user_id, paper_id, wanted, at, max_tags)
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
            require_item(conn, user_id, paper_id)
            write_note(conn, user_id, paper_id, note, now or utcnow())

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
            lock_reader(conn, user_id)
            require_item(conn, user_id, paper_id)
            replace_tags(conn, user_id, paper_id, wanted, at, max_tags)
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
            lock_reader(conn, user_id)
            require_item(conn, user_id, paper_id)
            stored = add_tags(conn, user_id, paper_id, wanted, at, max_tags)
            touch(conn, user_id, paper_id, at)
        return stored[0]

    def remove_tag(self, user_id: int, paper_id: int, tag: str) -> bool:
        """Take a paper out of a collection (case-insensitive name); False if it was not in
        it. The paper stays saved."""
        key = clean_tag(tag).casefold()
        with self.engine.begin() as conn:
            names = [t for t in canonical_tags(conn, user_id).values() if t.casefold() == key]
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
                touch(conn, user_id, paper_id, utcnow())
        return bool(removed)

    def rename_tag(self, user_id: int, old: str, new: str, *, now: datetime | None = None) -> int:
        """Rename a collection (case-insensitive ``old``); into an existing collection it
        merges. Returns the papers moved; NotFound for an unknown collection."""
        target = clean_tag(new)
        key = clean_tag(old).casefold()
        at = now or utcnow()
        with self.engine.begin() as conn:
            lock_reader(conn, user_id)
            canonical = canonical_tags(conn, user_id)
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
            names = [t for t in canonical_tags(conn, user_id).values() if t.casefold() == key]
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
                names = [t for t in canonical_tags(conn, user_id).values() if t.casefold() == key]
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
