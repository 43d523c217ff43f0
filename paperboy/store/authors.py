"""Authors as names: the ``authors``/``paper_authors`` tables, written with the paper in
the upsert's transaction (``write_paper_authors``), and the queries of author pages and
of the search's ``author:`` filter, which both resolve a name with ``match_name`` so they
always agree. The name rule is in ``paperboy.store.author_names``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from paperboy.store._rows import Repository, as_date, chunked
from paperboy.store.author_names import fold_name, name_group, surname_of
from paperboy.store.db import insert_ignoring_duplicates
from paperboy.store.models import authors, paper_authors, papers, votes


@dataclass(frozen=True, slots=True)
class NameMatch:
    """What a name asked for resolves to: the key it folds to and the known names
    (author id -> spelling) that match it under the rule."""

    key: str
    names: dict[int, str]

    @property
    def author_ids(self) -> list[int]:
        return sorted(self.names)


@dataclass(frozen=True, slots=True)
class AuthoredPaper:
    """One paper of a name, as the page's summaries need it."""

    paper_id: int
    arxiv_id: str
    announced: date | None
    primary_category: str | None
    imported_upvotes: int


@dataclass(frozen=True, slots=True)
class CoAuthor:
    name: str
    key: str
    papers: int


def write_paper_authors(conn: Connection, rows: Sequence[tuple[int, Sequence[str]]]) -> int:
    """Replace the author rows of the papers ``(paper_id, author names)``; returns rows
    written. Runs in the caller's transaction (the upsert's, or a backfill's)."""
    if not rows:
        return 0
    for chunk in chunked([paper_id for paper_id, _ in rows]):
        conn.execute(delete(paper_authors).where(paper_authors.c.paper_id.in_(chunk)))
    spelled: dict[str, str] = {}
    for _, names in rows:
        for name in names:
            key = fold_name(name)
            if key:
                spelled.setdefault(key, name.strip()[:300])
    ids = _author_ids(conn, list(spelled))
    missing = [k for k in spelled if k not in ids]
    if missing:
        conn.execute(
            insert_ignoring_duplicates(conn.engine, authors),
            [{"key": k, "surname": surname_of(k), "name": spelled[k]} for k in missing],
        )
        ids.update(_author_ids(conn, missing))
    link_rows: list[dict[str, Any]] = []
    for paper_id, names in rows:
        for position, name in enumerate(names):
            key = fold_name(name)
            if key:
                link_rows.append(
                    {"paper_id": paper_id, "position": position, "author_id": ids[key]}
                )
    if link_rows:
        conn.execute(insert(paper_authors), link_rows)
    return len(link_rows)


def _author_ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunked(keys):
        for author_id, key in conn.execute(
            select(authors.c.id, authors.c.key).where(authors.c.key.in_(chunk))
        ):
            found[str(key)] = int(author_id)
    return found


def backfill_paper_authors(conn: Connection, batch_size: int = 2000) -> int:
    """Derive the author rows of every paper (the migration and ``paperboy authors
    backfill``); returns the papers done. Idempotent."""
    after, done = 0, 0
    while True:
        batch = conn.execute(
            select(papers.c.id, papers.c.authors)
            .where(papers.c.id > after)
            .order_by(papers.c.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return done
        write_paper_authors(conn, [(int(pid), list(names or [])) for pid, names in batch])
        done += len(batch)
        after = int(batch[-1][0])


class AuthorStore(Repository):
    """Names, the papers under them, their co-authors."""

    def match_name(self, name: str) -> NameMatch:
        """The known names that ``name`` stands for (empty when none)."""
        key = fold_name(name)
        if not key:
            return NameMatch(key, {})
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(authors.c.id, authors.c.key, authors.c.name).where(
                    authors.c.surname == surname_of(key)
                )
            ).all()
        group = name_group(key, [str(r.key) for r in rows])
        return NameMatch(key, {int(r.id): str(r.name) for r in rows if r.key in group})

    def papers_of(self, author_ids: Sequence[int]) -> list[AuthoredPaper]:
        """Every visible paper under these names, newest first (announcement day, then
        the newest row)."""
        if not author_ids:
            return []
        under = select(paper_authors.c.paper_id).where(paper_authors.c.author_id.in_(author_ids))
        stmt = (
            select(
                papers.c.id,
                papers.c.arxiv_id,
                papers.c.announced,
                papers.c.primary_category,
                papers.c.imported_upvotes,
            )
            .where(papers.c.id.in_(under), papers.c.hidden.is_(False))
            .order_by(papers.c.announced.desc().nulls_last(), papers.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [
                AuthoredPaper(int(r[0]), str(r[1]), as_date(r[2]), r[3], int(r[4] or 0))
                for r in conn.execute(stmt)
            ]

    def arxiv_ids_of(self, name: str) -> frozenset[str]:
        """The arXiv ids of every paper under ``name`` (hidden ones included: the search
        drops those itself) -- the ``author:`` filter."""
        match = self.match_name(name)
        if not match.names:
            return frozenset()
        under = select(paper_authors.c.paper_id).where(
            paper_authors.c.author_id.in_(match.author_ids)
        )
        with self.engine.connect() as conn:
            ids = conn.execute(select(papers.c.arxiv_id).where(papers.c.id.in_(under))).scalars()
            return frozenset(str(a) for a in ids)

    def paper_counts(self, author_ids: Sequence[int]) -> dict[str, int]:
        """Visible papers per spelling of these names."""
        if not author_ids:
            return {}
        n = func.count(func.distinct(paper_authors.c.paper_id))
        stmt = (
            select(authors.c.name, n)
            .join(paper_authors, paper_authors.c.author_id == authors.c.id)
            .join(papers, papers.c.id == paper_authors.c.paper_id)
            .where(authors.c.id.in_(author_ids), papers.c.hidden.is_(False))
            .group_by(authors.c.id, authors.c.name)
        )
        with self.engine.connect() as conn:
            return {str(name): int(count) for name, count in conn.execute(stmt)}

    def local_votes(self, paper_ids: Iterable[int]) -> int:
        """Community upvotes on these papers, in all."""
        total = 0
        with self.engine.connect() as conn:
            for chunk in chunked(list(paper_ids)):
                total += int(
                    conn.execute(
                        select(func.count()).where(votes.c.paper_id.in_(chunk))
                    ).scalar_one()
                )
        return total

    def coauthors(
        self, author_ids: Sequence[int], paper_ids: Sequence[int], limit: int = 40
    ) -> list[CoAuthor]:
        """The other names on these papers, with how many of them each shares; most
        shared first."""
        if not paper_ids:
            return []
        counts: dict[int, int] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(list(paper_ids)):
                rows = conn.execute(
                    select(paper_authors.c.author_id, paper_authors.c.paper_id)
                    .where(
                        paper_authors.c.paper_id.in_(chunk),
                        paper_authors.c.author_id.not_in(author_ids),
                    )
                    .distinct()
                )
                for author_id, _ in rows:
                    counts[int(author_id)] = counts.get(int(author_id), 0) + 1
            best = sorted(counts.items(), key=lambda kv: -kv[1])[: limit * 2]
            names: dict[int, tuple[str, str]] = {}
            for chunk_ids in chunked([a for a, _ in best]):
                for aid, key, name in conn.execute(
                    select(authors.c.id, authors.c.key, authors.c.name).where(
                        authors.c.id.in_(chunk_ids)
                    )
                ):
                    names[int(aid)] = (str(key), str(name))
        found = [CoAuthor(names[a][1], names[a][0], n) for a, n in best if a in names]
        found.sort(key=lambda c: (-c.papers, c.key))
        return found[:limit]

    def refresh(self, paper_ids: Sequence[int]) -> int:
        """Re-derive the author rows of these papers in one transaction."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(papers.c.id, papers.c.authors).where(papers.c.id.in_(list(paper_ids)))
            ).all()
            return write_paper_authors(conn, [(int(p), list(a or [])) for p, a in rows])

    def backfill(self) -> int:
        """Every paper's author rows, in one transaction; returns the papers done."""
        with self.engine.begin() as conn:
            return backfill_paper_authors(conn)

    def count_names(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(authors)).scalar_one())
