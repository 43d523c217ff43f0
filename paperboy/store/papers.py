"""Reading and writing papers: upserts, the feed queries, harvester positions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.arxiv import PaperRecord
from paperboy.clock import utc_naive, utcnow
from paperboy.codelinks import CodeLink, LinkInputs
from paperboy.store._rows import Repository, as_date, chunked
from paperboy.store.authors import KnownAuthors, write_paper_authors
from paperboy.store.code import with_code_repository, write_paper_links
from paperboy.store.db import insert_plain_rows
from paperboy.store.models import paper_categories, papers, source_state, votes
from paperboy.store.tldr import write_paper_tldrs

# Columns whose values make up a paper's content (and its content hash).
CONTENT_COLUMNS = (
    "arxiv_id",
    "version",
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "submitted",
    "updated",
    "announced",
    "announced_estimated",
    "comment",
    "journal_ref",
    "doi",
    "license",
    "links",
    "imported_upvotes",
)


@dataclass(frozen=True, slots=True)
class StoredPaper:
    """A paper as stored. ``id`` is internal and never leaves the process."""

    id: int
    arxiv_id: str
    version: int | None
    title: str
    abstract: str | None
    authors: list[str]
    categories: list[str]
    primary_category: str | None
    submitted: datetime | None
    updated: datetime | None
    announced: date | None
    announced_estimated: bool
    comment: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    links: dict[str, str]
    imported_upvotes: int
    first_seen: datetime
    last_changed: datetime
    hidden: bool = False  # hidden by an admin

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        suffix = f"v{self.version}" if self.version else ""
        return f"https://arxiv.org/pdf/{self.arxiv_id}{suffix}"


@dataclass(slots=True)
class UpsertResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeedPage:
    papers: list[StoredPaper]
    total: int


# One encoder for every hash: ``json.dumps`` with these options builds a new one per call.
_HASH_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


def content_hash(values: dict[str, Any]) -> str:
    payload = _HASH_ENCODER.encode([values[c] for c in CONTENT_COLUMNS])
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def text_hash(title: str, abstract: str | None) -> str:
    """Identifies the text that embeddings are computed from."""
    payload = f"{title}\n{abstract or ''}".encode()
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


# Fields a record without a version number may only fill in, never replace, once a
# versioned source (OAI-PMH, the arXiv API, Kaggle) has described the paper: a bulk file
# or the Hugging Face feed may carry an older text than the stored version.
VERSIONED_TEXT = ("title", "abstract", "authors", "categories", "primary_category")


def merge_record(existing: dict[str, Any] | None, rec: PaperRecord) -> dict[str, Any] | None:
    """The content a paper should have after ``rec`` arrives, or None to leave it alone.

    A field the record does not know (None) keeps its stored value; an older version
    than the stored one is ignored, and a record without a version cannot replace the
    text of a versioned paper; the first exact announcement date stays (an estimated
    one gives way to an exact one).
    """
    if existing is not None and rec.version and (existing["version"] or 0) > rec.version:
        return None
    incoming: dict[str, Any] = {
        "arxiv_id": rec.arxiv_id,
        "version": rec.version,
        "title": rec.title,
        "abstract": rec.abstract,
        "authors": rec.authors,
        "categories": rec.categories,
        "primary_category": rec.primary_category,
        "submitted": utc_naive(rec.submitted),
        "updated": utc_naive(rec.updated),
        "announced": rec.announced,
        "announced_estimated": rec.announced_estimated if rec.announced else None,
        "comment": rec.comment,
        "journal_ref": rec.journal_ref,
        "doi": rec.doi,
        "license": rec.license,
        "links": rec.links,
        "imported_upvotes": rec.upvotes,
    }
    if existing is None:
        merged = dict(incoming)
        merged["authors"] = merged["authors"] or []
        merged["categories"] = merged["categories"] or []
        merged["links"] = merged["links"] or {}
        merged["imported_upvotes"] = merged["imported_upvotes"] or 0
        merged["announced_estimated"] = bool(merged["announced_estimated"])
        return merged
    merged = {c: (incoming[c] if incoming[c] is not None else existing[c]) for c in CONTENT_COLUMNS}
    if rec.version is None:
        merged["version"] = existing["version"]
        if existing["version"] is not None:
            for column in VERSIONED_TEXT:
                if existing[column]:
                    merged[column] = existing[column]
    exact_arrives = rec.announced is not None and not rec.announced_estimated
    if existing["announced"] is not None and not (
        existing["announced_estimated"] and exact_arrives
    ):
        merged["announced"] = existing["announced"]
        merged["announced_estimated"] = existing["announced_estimated"]
    merged["links"] = {**(existing["links"] or {}), **(rec.links or {})}
    return merged


class PaperStore(Repository):
    """Papers, their categories and the harvesters' positions."""

    # -- writing ---------------------------------------------------------------------

    def upsert_papers(
        self,
        records: Sequence[PaperRecord],
        *,
        state: tuple[str, dict[str, Any]] | None = None,
        tldrs: Mapping[tuple[str, str | None], str | None] | None = None,
        links: Mapping[LinkInputs, Sequence[CodeLink]] | None = None,
        known: KnownAuthors | None = None,
    ) -> UpsertResult:
        """Insert or update a batch of records in one transaction.

        ``tldrs``: TL;DRs already chosen by (title, abstract), e.g. by a bulk ingest's
        second process (``choose_tldr`` is a pure function of the two); others are
        chosen here. ``links``: code links already extracted, by ``link_inputs``, the
        same way. ``known``: a bulk ingest's committed author ids (``KnownAuthors``).

        Duplicates inside the batch collapse to the highest version (the last one on a
        tie). ``state`` (key, value) is saved in the same transaction: a harvester's
        position then can neither run ahead of the papers nor fall behind them. A
        concurrent writer inserting the same paper makes us retry the batch once.
        """
        latest: dict[str, PaperRecord] = {}
        for rec in records:
            prev = latest.get(rec.arxiv_id)
            if prev is None or (rec.version or 0) >= (prev.version or 0):
                latest[rec.arxiv_id] = rec
        for attempt in (1, 2):
            try:
                if known is not None:
                    known.pending.clear()  # what a failed attempt met was rolled back
                with self.engine.begin() as conn:
                    result = self._upsert(conn, list(latest.values()), tldrs, links, known)
                    if state is not None:
                        self._set_state(conn, *state)
                if known is not None:
                    known.committed()
                return result
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _upsert(
        self,
        conn: Connection,
        records: list[PaperRecord],
        tldrs: Mapping[tuple[str, str | None], str | None] | None = None,
        links: Mapping[LinkInputs, Sequence[CodeLink]] | None = None,
        known: KnownAuthors | None = None,
    ) -> UpsertResult:
        result = UpsertResult()
        existing = self._rows_by_arxiv_id(conn, [r.arxiv_id for r in records])
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for rec in records:
            old = existing.get(rec.arxiv_id)
            merged = merge_record(old, rec)
            if merged is None:
                result.unchanged.append(rec.arxiv_id)
                continue
            digest = content_hash(merged)
            if old is not None and old["content_hash"] == digest:
                result.unchanged.append(rec.arxiv_id)
                continue
            merged["content_hash"] = digest
            merged["text_hash"] = text_hash(merged["title"], merged["abstract"])
            merged["last_changed"] = now
            if old is None:
                merged["first_seen"] = now
                inserts.append(merged)
                result.added.append(rec.arxiv_id)
            else:
                merged["_id"] = old["id"]
                merged["_text_changed"] = old["text_hash"] != merged["text_hash"]
                merged["_categories_changed"] = old["categories"] != merged["categories"]
                merged["_authors_changed"] = old["authors"] != merged["authors"]
                updates.append(merged)
                result.updated.append(rec.arxiv_id)
        category_rows: list[dict[str, Any]] = []
        ids: dict[str, int] = {}
        if inserts:
            returned = conn.execute(
                insert(papers).returning(papers.c.id, papers.c.arxiv_id), inserts
            ).all()
            ids = {arxiv_id: pid for pid, arxiv_id in returned}
            for row in inserts:
                category_rows.extend(_category_rows(ids[row["arxiv_id"]], row["categories"]))
        if updates:
            columns = [*CONTENT_COLUMNS, "content_hash", "text_hash", "last_changed"]
            stmt = (
                update(papers)
                .where(papers.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns if c != "arxiv_id"})
            )
            conn.execute(stmt, [{k: row[k] for k in [*columns, "_id"]} for row in updates])
            changed = [row for row in updates if row["_categories_changed"]]
            if changed:
                conn.execute(
                    delete(paper_categories).where(
                        paper_categories.c.paper_id.in_([row["_id"] for row in changed])
                    )
                )
                for row in changed:
                    category_rows.extend(_category_rows(row["_id"], row["categories"]))
        insert_plain_rows(conn, paper_categories, category_rows)
        # Papers inserted just now have no derived rows yet: nothing to delete for them.
        new_ids = frozenset(ids.values())
        # Code links are derived from the text: rewritten with it, in this transaction.
        write_paper_links(
            conn,
            [(ids[row["arxiv_id"]], row) for row in inserts]
            + [(row["_id"], row) for row in updates],
            new_ids=new_ids,
            found=links,
        )
        # So is the TL;DR, when the title or abstract is new or changed.
        write_paper_tldrs(
            conn,
            [(ids[row["arxiv_id"]], row) for row in inserts]
            + [(row["_id"], row) for row in updates if row["_text_changed"]],
            tldrs,
            new_ids=new_ids,
        )
        # So are the author rows (author pages, the author: filter), when they changed.
        write_paper_authors(
            conn,
            [(ids[row["arxiv_id"]], row["authors"]) for row in inserts]
            + [(row["_id"], row["authors"]) for row in updates if row["_authors_changed"]],
            new_ids=new_ids,
            known=known,
        )
        return result

    @staticmethod
    def _rows_by_arxiv_id(conn: Connection, arxiv_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(arxiv_ids):
            rows = conn.execute(select(papers).where(papers.c.arxiv_id.in_(chunk))).mappings()
            for row in rows:
                found[row["arxiv_id"]] = dict(row)
        return found

    # -- reading ---------------------------------------------------------------------

    def count_papers(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(papers)).scalar_one())

    def get_paper(self, arxiv_id: str) -> StoredPaper | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(papers).where(papers.c.arxiv_id == arxiv_id)).mappings()
            first = row.first()
        return _to_paper(first) if first else None

    def get_papers(self, arxiv_ids: Iterable[str]) -> dict[str, StoredPaper]:
        with self.engine.connect() as conn:
            rows = self._rows_by_arxiv_id(conn, list(arxiv_ids))
        return {k: _to_paper(v) for k, v in rows.items()}

    def get_papers_by_ids(self, paper_ids: Iterable[int]) -> dict[int, StoredPaper]:
        """Papers by internal id (one query per 500 ids)."""
        ids = list(dict.fromkeys(paper_ids))
        found: dict[int, StoredPaper] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                for row in conn.execute(select(papers).where(papers.c.id.in_(chunk))).mappings():
                    found[int(row["id"])] = _to_paper(row)
        return found

    def feed(
        self,
        start: date,
        end: date,
        *,
        category: str | None = None,
        limit: int = 50,
        offset: int = 0,
        sort: str = "newest",
        include_hidden: bool = False,
        has_code: bool = False,
    ) -> FeedPage:
        """Papers announced in ``[start, end]``, newest day first (``sort="votes"``: most
        upvotes, imported and community, first; ties newest first). Papers hidden by an
        admin only with ``include_hidden``; only papers linking a code repository with
        ``has_code``."""
        where = [papers.c.announced >= start, papers.c.announced <= end]
        if not include_hidden:
            where.append(papers.c.hidden.is_(False))
        if category:
            where.append(
                papers.c.id.in_(
                    select(paper_categories.c.paper_id).where(
                        paper_categories.c.category == category
                    )
                )
            )
        if has_code:
            where.append(papers.c.id.in_(with_code_repository()))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(papers).where(*where))
            count = int(total.scalar_one())
            order = [papers.c.announced.desc(), papers.c.id.desc()]
            if sort == "votes":
                community = (
                    select(func.count())
                    .where(votes.c.paper_id == papers.c.id)
                    .correlate(papers)
                    .scalar_subquery()
                )
                order.insert(0, (papers.c.imported_upvotes + community).desc())
            rows = conn.execute(
                select(papers).where(*where).order_by(*order).limit(limit).offset(offset)
            ).mappings()
            return FeedPage([_to_paper(r) for r in rows], count)

    def category_counts(self, start: date, end: date) -> list[tuple[str, int]]:
        """Categories of the papers announced in ``[start, end]``, cross-lists included
        (as the category filter counts them), busiest first."""
        n = func.count()
        stmt = (
            select(paper_categories.c.category, n)
            .join(papers, papers.c.id == paper_categories.c.paper_id)
            .where(papers.c.announced >= start, papers.c.announced <= end)
            .group_by(paper_categories.c.category)
            .order_by(n.desc(), paper_categories.c.category)
        )
        with self.engine.connect() as conn:
            return [(str(cat), int(count)) for cat, count in conn.execute(stmt)]

    def latest_announced(self) -> date | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(papers.c.announced))).scalar_one()
        return as_date(value)

    def neighbour_days(self, start: date, end: date) -> tuple[date | None, date | None]:
        """The closest announcement days with papers before ``start`` and after ``end``."""
        with self.engine.connect() as conn:
            prev = conn.execute(
                select(func.max(papers.c.announced)).where(papers.c.announced < start)
            ).scalar_one()
            nxt = conn.execute(
                select(func.min(papers.c.announced)).where(papers.c.announced > end)
            ).scalar_one()
        return as_date(prev), as_date(nxt)

    def max_last_changed(self) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(papers.c.last_changed))).scalar_one()
        return value if isinstance(value, datetime) else None

    def papers_changed_since(
        self, since: datetime | None, after_id: int = 0, limit: int = 2000
    ) -> list[StoredPaper]:
        """Papers changed at or after ``since``, in (last_changed, id) order; page with
        ``after_id`` = the last id seen at the same timestamp."""
        stmt = select(papers).order_by(papers.c.last_changed, papers.c.id).limit(limit)
        if since is not None:
            stmt = stmt.where(
                (papers.c.last_changed > since)
                | ((papers.c.last_changed == since) & (papers.c.id > after_id))
            )
        with self.engine.connect() as conn:
            return [_to_paper(r) for r in conn.execute(stmt).mappings()]

    # -- harvester state -------------------------------------------------------------

    def get_state(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(source_state.c.value).where(source_state.c.key == key)
            ).scalar_one_or_none()
        return dict(value) if value is not None else None

    def set_state(self, key: str, value: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            self._set_state(conn, key, value)

    @staticmethod
    def _set_state(conn: Connection, key: str, value: dict[str, Any]) -> None:
        now = utcnow()
        changed = conn.execute(
            update(source_state)
            .where(source_state.c.key == key)
            .values(value=value, updated_at=now)
        ).rowcount
        if not changed:
            conn.execute(insert(source_state).values(key=key, value=value, updated_at=now))


def _category_rows(paper_id: int, categories: list[str]) -> list[dict[str, Any]]:
    return [
        {"paper_id": paper_id, "category": cat, "position": pos}
        for pos, cat in enumerate(categories)
    ]


def _to_paper(row: Any) -> StoredPaper:
    return StoredPaper(
        id=row["id"],
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        abstract=row["abstract"],
        authors=list(row["authors"] or []),
        categories=list(row["categories"] or []),
        primary_category=row["primary_category"],
        submitted=row["submitted"],
        updated=row["updated"],
        announced=as_date(row["announced"]),
        announced_estimated=bool(row["announced_estimated"]),
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        license=row["license"],
        links=dict(row["links"] or {}),
        imported_upvotes=row["imported_upvotes"],
        first_seen=row["first_seen"],
        last_changed=row["last_changed"],
        hidden=bool(row["hidden"]),
    )
