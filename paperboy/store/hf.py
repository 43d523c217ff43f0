"""Hugging Face daily papers: HF's upvotes, comments and fields per paper.

HF's counts live here, apart from local votes (the ``votes`` table). ``papers.
imported_upvotes`` holds the same upvote number, written in the same transaction, so
the count paths that already add ``imported_upvotes + COUNT(votes)`` count HF's
upvotes exactly once; the breakdown below splits the two again for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.arxiv import PaperRecord
from paperboy.store._rows import Repository, as_date, bump_counter, chunked, upvote_counts
from paperboy.store.models import hf_papers, papers
from paperboy.store.papers import PaperStore, UpsertResult

_FIELDS = (
    "comments",
    "submitter",
    "submitter_name",
    "featured_on",
    "github_repo",
    "project_page",
    "ai_summary",
)


@dataclass(frozen=True, slots=True)
class HfEntry:
    """One paper as HF's daily papers describe it (``arxiv_id`` names the paper)."""

    arxiv_id: str
    upvotes: int
    comments: int | None = None
    submitter: str | None = None  # HF user name, e.g. "akhaliq"
    submitter_name: str | None = None  # display name, e.g. "AK"
    featured_on: date | None = None
    github_repo: str | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HfInfo:
    """A stored row. ``synced_at`` None: the counts came from a file (the demo set)."""

    paper_id: int
    arxiv_id: str
    upvotes: int
    comments: int | None
    submitter: str | None
    submitter_name: str | None
    featured_on: date | None
    github_repo: str | None
    project_page: str | None
    ai_summary: str | None
    ai_keywords: list[str]
    synced_at: datetime | None

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}"


@dataclass(frozen=True, slots=True)
class CountBreakdown:
    """A paper's upvotes by source: ``hf`` (imported from Hugging Face) and ``here``
    (this instance's readers). The total is their sum."""

    hf: int
    here: int

    @property
    def total(self) -> int:
        return self.hf + self.here


class HfStore(Repository):
    def save(
        self,
        records: Sequence[PaperRecord],
        entries: Sequence[HfEntry],
        *,
        synced_at: datetime | None,
        state: tuple[str, dict[str, Any]] | None = None,
    ) -> UpsertResult:
        """Upsert the papers, their HF rows and ``state`` in ONE transaction.

        ``records`` should carry ``upvotes`` equal to the entries' (so that
        ``papers.imported_upvotes`` follows HF). Counts always take the new value;
        a field an entry leaves empty keeps what is stored. An entry whose paper is not
        stored (not in ``records`` and not in the database) is ignored.
        """
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    bump_counter(conn, "content")  # anonymous pages show it
                    result = PaperStore(self.engine)._upsert(conn, list(records))
                    self._save_entries(conn, entries, synced_at)
                    if state is not None:
                        PaperStore._set_state(conn, *state)
                    return result
            except IntegrityError:  # a concurrent writer inserted the same row first
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _save_entries(
        self, conn: Connection, entries: Sequence[HfEntry], synced_at: datetime | None
    ) -> None:
        latest = {e.arxiv_id: e for e in entries}
        ids: dict[str, int] = {}
        for chunk in chunked(list(latest)):
            rows = conn.execute(
                select(papers.c.arxiv_id, papers.c.id).where(papers.c.arxiv_id.in_(chunk))
            )
            ids.update({str(a): int(pid) for a, pid in rows})
        existing: dict[int, dict[str, Any]] = {}
        for id_chunk in chunked(list(ids.values())):
            for stored in conn.execute(
                select(hf_papers).where(hf_papers.c.paper_id.in_(id_chunk))
            ).mappings():
                existing[int(stored["paper_id"])] = dict(stored)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        restores: list[dict[str, Any]] = []
        for arxiv_id, entry in latest.items():
            pid = ids.get(arxiv_id)
            if pid is None:
                continue
            old = existing.get(pid)
            if old is not None and synced_at is None and old["synced_at"] is not None:
                # A file (the demo set, again) never beats counts synced from HF; put
                # back the synced count where the file's paper upsert replaced it.
                restores.append({"_pid": pid, "imported_upvotes": old["upvotes"]})
                continue
            row: dict[str, Any] = {"upvotes": entry.upvotes, "synced_at": synced_at}
            for name in _FIELDS:
                value = getattr(entry, name)
                row[name] = value if value is not None or old is None else old[name]
            keywords = list(entry.ai_keywords)
            row["ai_keywords"] = keywords or (list(old["ai_keywords"] or []) if old else [])
            if old is None:
                inserts.append({"paper_id": pid, **row})
            else:
                updates.append({"_pid": pid, **row})
        if restores:
            conn.execute(
                update(papers)
                .where(papers.c.id == bindparam("_pid"))
                .values(imported_upvotes=bindparam("imported_upvotes")),
                restores,
            )
        if inserts:
            conn.execute(insert(hf_papers), inserts)
        if updates:
            columns = ["upvotes", "synced_at", *_FIELDS, "ai_keywords"]
            conn.execute(
                update(hf_papers)
                .where(hf_papers.c.paper_id == bindparam("_pid"))
                .values({c: bindparam(c) for c in columns}),
                updates,
            )

    def mark_synced(self, arxiv_ids: Sequence[str], at: datetime) -> int:
        """HF confirmed these papers' counts unchanged (an HTTP 304): only ``synced_at``
        moves. Returns the number of rows touched."""
        touched = 0
        with self.engine.begin() as conn:
            bump_counter(conn, "content")  # anonymous pages show it
            for chunk in chunked(list(arxiv_ids)):
                ids = select(papers.c.id).where(papers.c.arxiv_id.in_(chunk))
                touched += conn.execute(
                    update(hf_papers).where(hf_papers.c.paper_id.in_(ids)).values(synced_at=at)
                ).rowcount
        return touched

    # -- reading ---------------------------------------------------------------------

    def get_many(self, paper_ids: Iterable[int]) -> dict[int, HfInfo]:
        ids = list(dict.fromkeys(paper_ids))
        found: dict[int, HfInfo] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(hf_papers, papers.c.arxiv_id)
                    .join(papers, papers.c.id == hf_papers.c.paper_id)
                    .where(hf_papers.c.paper_id.in_(chunk))
                ).mappings()
                for row in rows:
                    found[int(row["paper_id"])] = _to_info(row)
        return found

    def get(self, paper_id: int) -> HfInfo | None:
        return self.get_many([paper_id]).get(paper_id)

    def count_breakdown(self, paper_ids: Iterable[int]) -> dict[int, CountBreakdown]:
        """Each paper's upvotes split by source, one query per 500 papers. ``hf`` is
        ``papers.imported_upvotes`` (HF's count, kept in step by the sync), ``here`` the
        COUNT of local votes; their sum equals what ``VoteStore.vote_totals`` says."""
        return {
            pid: CountBreakdown(hf=hf, here=here)
            for pid, (hf, here) in upvote_counts(self.engine, paper_ids).items()
        }

    def newest_signal_day(self) -> date | None:
        """The newest day with HF counts: the newest featured day of a paper with HF
        upvotes, or, for rows whose source gave no featured day (the demo set), the
        paper's announcement day. None when no paper has HF upvotes."""
        day = func.coalesce(hf_papers.c.featured_on, papers.c.announced)
        with self.engine.connect() as conn:
            value = conn.execute(
                select(func.max(day))
                .select_from(hf_papers.join(papers, papers.c.id == hf_papers.c.paper_id))
                .where(hf_papers.c.upvotes > 0, papers.c.hidden.is_(False))
            ).scalar_one()
        return as_date(value)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(hf_papers)).scalar_one())


def _to_info(row: Any) -> HfInfo:
    return HfInfo(
        paper_id=int(row["paper_id"]),
        arxiv_id=str(row["arxiv_id"]),
        upvotes=int(row["upvotes"]),
        comments=row["comments"],
        submitter=row["submitter"],
        submitter_name=row["submitter_name"],
        featured_on=as_date(row["featured_on"]),
        github_repo=row["github_repo"],
        project_page=row["project_page"],
        ai_summary=row["ai_summary"],
        ai_keywords=list(row["ai_keywords"] or []),
        synced_at=row["synced_at"],
    )
