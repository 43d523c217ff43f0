"""Authors as names: the ``authors``/``paper_authors`` tables, written with the paper in
the upsert's transaction (``write_paper_authors``), and the queries of author pages and
of the search's ``author:`` filter, which both resolve a name with ``match_name`` so they
always agree. The name rule is in ``paperboy.store.author_names``."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, delete, extract, func, select

from paperboy.store._rows import Repository, chunked
from paperboy.store.author_names import fold_name, name_group, surname_of
from paperboy.store.db import insert_ignoring_duplicates, insert_plain_rows
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
class CoAuthor:
    name: str
    key: str
    papers: int


@dataclass(slots=True)
class KnownAuthors:
    """Author ids by key for one bulk ingest, saving its writer most key lookups: the ids
    of author rows its earlier batches committed (no code deletes or re-keys an author
    row, so such an id stays right). ``pending`` holds the ids met in the transaction
    under way; they join ``ids`` only once it has committed (``committed``), so a
    rolled-back batch's new authors never do. At most ``limit`` ids are kept."""

    ids: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    limit: int = 1_000_000  # about 100 MB of keys

    def committed(self) -> None:
        room = self.limit - len(self.ids)
        if room > 0:
            self.ids.update(itertools.islice(self.pending.items(), room))
        self.pending.clear()


def write_paper_authors(
    conn: Connection,
    rows: Sequence[tuple[int, Sequence[str]]],
    *,
    new_ids: Collection[int] = frozenset(),
    known: KnownAuthors | None = None,
) -> int:
    """Replace the author rows of the papers ``(paper_id, author names)``; returns rows
    written. Runs in the caller's transaction (the upsert's, or a backfill's).
    ``new_ids``: papers inserted in this transaction, which have no rows to delete;
    ``known``: a bulk ingest's author ids (read, and added to its ``pending``)."""
    if not rows:
        return 0
    for chunk in chunked([paper_id for paper_id, _ in rows if paper_id not in new_ids]):
        conn.execute(delete(paper_authors).where(paper_authors.c.paper_id.in_(chunk)))
    spelled: dict[str, str] = {}
    for _, names in rows:
        for name in names:
            key = fold_name(name)
            if key:
                spelled.setdefault(key, name.strip()[:300])
    cached = known.ids if known is not None else {}
    ids = {k: cached[k] for k in spelled if k in cached}
    ids.update(_author_ids(conn, [k for k in spelled if k not in ids]))
    missing = [k for k in spelled if k not in ids]
    if missing:
        conn.execute(
            insert_ignoring_duplicates(conn.engine, authors),
            [{"key": k, "surname": surname_of(k), "name": spelled[k]} for k in missing],
        )
        ids.update(_author_ids(conn, missing))
    if known is not None:
        known.pending.update((k, v) for k, v in ids.items() if k not in cached)
    link_rows: list[dict[str, Any]] = []
    for paper_id, names in rows:
        for position, name in enumerate(names):
            key = fold_name(name)
            if key:
                link_rows.append(
                    {"paper_id": paper_id, "position": position, "author_id": ids[key]}
                )
    insert_plain_rows(conn, paper_authors, link_rows)
    return len(link_rows)


def _author_ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunked(keys):
        for author_id, key in conn.execute(
            select(authors.c.id, authors.c.key).where(authors.c.key.in_(chunk))
        ).all():  # one fetch, not a driver call a row
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
    """Names, the papers under them, their co-authors.

    Every query of a page takes a ``NameMatch`` and works in SQL over the papers under
    it (aggregates, one page of ids), so a name with 10,000 papers costs a few scans,
    not 10,000 rows through Python."""

    def match_name(self, name: str) -> NameMatch:
        """The known names that ``name`` stands for (empty when none)."""
        key = fold_name(name)
        if not key:
            return NameMatch(key, {})
        stmt = select(authors.c.id, authors.c.key, authors.c.name).where(
            authors.c.surname == surname_of(key)
        )
        if len(key.split()) > 1:
            # Whether a name joins another depends only on names with the same first
            # letter (rule 3): "yang liu" need not read the other 2,900 Lius.
            stmt = stmt.where(func.substr(authors.c.key, 1, 1) == key[0])
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        group = name_group(key, [str(r.key) for r in rows])
        return NameMatch(key, {int(r.id): str(r.name) for r in rows if r.key in group})

    def full_name_candidates(self, key: str, limit: int = 12) -> list[str]:
        """For an initial form ("j smith"): the full names it could stand for (the
        spellings of stored names with the same surname, other given names and first
        letter), fewest-letters first; [] for any other key."""
        words = key.split()
        if len(words) < 2 or len(words[0]) != 1:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(authors.c.key, authors.c.name).where(
                    authors.c.surname == words[-1],
                    func.substr(authors.c.key, 1, 1) == words[0],
                )
            ).all()
        found = [
            str(name)
            for k, name in rows
            if len(k.split()) == len(words) and k.split()[1:] == words[1:] and k != key
        ]
        return sorted(found, key=lambda n: (len(n), n))[:limit]

    def match_names(self, names: Sequence[str]) -> dict[str, NameMatch]:
        """``match_name`` for many names at once: one indexed query per (surname, first
        letter) pair (one-word names: per 500 surnames)."""
        keys = {name: fold_name(name) for name in names}
        pairs = sorted({(surname_of(k), k[0]) for k in keys.values() if len(k.split()) > 1})
        surnames = sorted({k for k in keys.values() if k and len(k.split()) == 1})
        rows: list[tuple[int, str, str, str]] = []
        columns = (authors.c.id, authors.c.key, authors.c.name, authors.c.surname)
        with self.engine.connect() as conn:
            for surname, letter in pairs:  # each an index range, however common the surname
                rows += conn.execute(
                    select(*columns).where(
                        authors.c.surname == surname, func.substr(authors.c.key, 1, 1) == letter
                    )
                ).all()
            for one in chunked(surnames):
                rows += conn.execute(select(*columns).where(authors.c.surname.in_(one))).all()
        by_group: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for aid, key, spelled, surname in rows:
            entry = (int(aid), str(key), str(spelled))
            by_group.setdefault((str(surname), ""), []).append(entry)
            by_group.setdefault((str(surname), str(key)[0]), []).append(entry)
        found: dict[str, NameMatch] = {}
        for name, key in keys.items():
            if not key:
                found[name] = NameMatch(key, {})
                continue
            letter = key[0] if len(key.split()) > 1 else ""
            known = list({r[1]: r for r in by_group.get((surname_of(key), letter), [])}.values())
            group = name_group(key, [k for _, k, _ in known])
            found[name] = NameMatch(key, {aid: n for aid, k, n in known if k in group})
        return found

    @staticmethod
    def _visible(match: NameMatch) -> Select[tuple[int]]:
        """The ids of the visible papers under the match (a subquery)."""
        under = select(paper_authors.c.paper_id).where(
            paper_authors.c.author_id.in_(match.author_ids)
        )
        return select(papers.c.id).where(papers.c.id.in_(under), papers.c.hidden.is_(False))

    def summary(self, match: NameMatch) -> tuple[int, int, int]:
        """(visible papers, their imported upvotes, their local upvotes)."""
        if not match.names:
            return 0, 0, 0
        visible = self._visible(match)
        with self.engine.connect() as conn:
            total, imported = conn.execute(
                select(func.count(), func.coalesce(func.sum(papers.c.imported_upvotes), 0)).where(
                    papers.c.id.in_(visible)
                )
            ).one()
            local = conn.execute(
                select(func.count()).where(votes.c.paper_id.in_(visible))
            ).scalar_one()
        return int(total), int(imported), int(local)

    def page_ids(self, match: NameMatch, limit: int, offset: int = 0) -> list[int]:
        """One page of the visible papers' ids, newest first (announcement day, then
        the newest row)."""
        if not match.names:
            return []
        stmt = (
            select(papers.c.id)
            .where(papers.c.id.in_(self._visible(match)))
            .order_by(papers.c.announced.desc().nulls_last(), papers.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(stmt).scalars()]

    def recent_ids(self, match: NameMatch, since: date, limit: int) -> list[int]:
        """The visible papers under the match announced since ``since``, newest first."""
        if not match.names:
            return []
        stmt = (
            select(papers.c.id)
            .where(papers.c.id.in_(self._visible(match)), papers.c.announced >= since)
            .order_by(papers.c.announced.desc(), papers.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(stmt).scalars()]

    def years(self, match: NameMatch) -> list[tuple[int, str, int]]:
        """(year, primary category, papers) of the visible papers with a day."""
        if not match.names:
            return []
        year = extract("year", papers.c.announced)
        stmt = (
            select(year, papers.c.primary_category, func.count())
            .where(papers.c.id.in_(self._visible(match)), papers.c.announced.is_not(None))
            .group_by(year, papers.c.primary_category)
        )
        with self.engine.connect() as conn:
            return [(int(y), str(c or "unknown"), int(n)) for y, c, n in conn.execute(stmt)]

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

    def paper_counts(self, match: NameMatch) -> dict[str, int]:
        """Visible papers per spelling of the match."""
        if not match.names:
            return {}
        n = func.count(func.distinct(paper_authors.c.paper_id))
        stmt = (
            select(paper_authors.c.author_id, n)
            .join(papers, papers.c.id == paper_authors.c.paper_id)
            .where(paper_authors.c.author_id.in_(match.author_ids), papers.c.hidden.is_(False))
            .group_by(paper_authors.c.author_id)
        )
        with self.engine.connect() as conn:
            return {match.names[int(a)]: int(c) for a, c in conn.execute(stmt)}

    def coauthors(self, match: NameMatch, limit: int = 40) -> list[CoAuthor]:
        """The other names on the match's visible papers, with how many of them each
        shares; most shared first (ties by name)."""
        if not match.names:
            return []
        n = func.count(func.distinct(paper_authors.c.paper_id)).label("n")  # two Wei Wangs
        best = (
            select(paper_authors.c.author_id, n)
            .where(
                paper_authors.c.paper_id.in_(self._visible(match)),
                paper_authors.c.author_id.not_in(match.author_ids),
            )
            .group_by(paper_authors.c.author_id)
            .order_by(n.desc(), paper_authors.c.author_id)
            .limit(limit * 2)  # ties at the cut are then ordered by name
            .subquery()
        )
        stmt = select(authors.c.name, authors.c.key, best.c.n).join(
            best, best.c.author_id == authors.c.id
        )
        with self.engine.connect() as conn:
            found = [CoAuthor(str(a), str(k), int(c)) for a, k, c in conn.execute(stmt)]
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
