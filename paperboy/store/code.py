"""Code links of papers, the GitHub repositories they point at, daily star snapshots.

Links are derived from the paper (``paperboy.codelinks``) and rewritten in the same
transaction as the paper whenever its content changes (``write_paper_links``, called by
the papers repository's upsert); ``refresh_links`` re-derives them for existing papers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from paperboy.codelinks import REPO_KINDS, CodeLink, LinkInputs, link_inputs, links_for
from paperboy.store._rows import Repository, bump_counter, chunked, paper_id_batches
from paperboy.store.db import insert_ignoring_duplicates
from paperboy.store.models import code_links, github_repos, github_star_snapshots, papers, votes


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """What GitHub said about a repository; ``stars`` is None until it was synced."""

    key: str
    full_name: str
    status: str  # new, ok, gone
    stars: int | None
    pushed_at: datetime | None
    archived: bool | None
    description: str | None
    license: str | None
    checked_at: datetime | None

    @property
    def url(self) -> str:
        return f"https://github.com/{self.full_name}"

    @property
    def synced(self) -> bool:
        return self.status == "ok" and self.stars is not None


@dataclass(frozen=True, slots=True)
class StarGain:
    """Stars gained from ``since`` to ``until`` (two snapshot days). ``full_window`` is
    False when the first snapshot is younger than the window asked for."""

    gain: int
    since: date
    until: date
    full_window: bool


@dataclass(frozen=True, slots=True)
class StoredCodeLink:
    kind: str
    url: str
    name: str | None
    official: bool
    source: str
    repo: RepoInfo | None = None  # GitHub links: the repository's synced facts
    gain: StarGain | None = None  # GitHub links: stars gained over the last week

    @property
    def is_repo(self) -> bool:
        return self.kind in REPO_KINDS


@dataclass(frozen=True, slots=True)
class RepoToSync:
    key: str
    full_name: str
    etag: str | None
    stars: int | None
    checked_at: datetime | None


def repo_key(link: CodeLink) -> str | None:
    return link.name.lower() if link.kind == "github" and link.name else None


def links_of(row: dict[str, Any]) -> list[CodeLink]:
    """The links of a paper row (abstract, comment and the repository/project fields)."""
    return links_for(_inputs(row))


def _inputs(row: dict[str, Any]) -> LinkInputs:
    return link_inputs(row.get("abstract"), row.get("comment"), row.get("links"))


def with_code_repository() -> Select[Any]:
    """The ids of papers that link a code repository (GitHub, GitLab, Bitbucket), as a
    subquery for ``papers.c.id.in_(...)``."""
    return select(code_links.c.paper_id).where(code_links.c.kind.in_(sorted(REPO_KINDS)))


def write_paper_links(
    conn: Connection,
    rows: Sequence[tuple[int, dict[str, Any]]],
    *,
    new_ids: Collection[int] = frozenset(),
    found: Mapping[LinkInputs, Sequence[CodeLink]] | None = None,
) -> int:
    """Replace the code links of the papers ``(paper_id, row)``; returns links written.

    Runs in the caller's transaction. GitHub repositories get a ``github_repos`` row
    (status ``new``) so the GitHub sync finds them. ``new_ids``: papers inserted in this
    transaction, which have no links to delete. ``found``: ``links_for`` results already
    computed (a bulk ingest's second process), by ``link_inputs``; others are found here."""
    if not rows:
        return 0
    ids = [paper_id for paper_id, _ in rows if paper_id not in new_ids]
    for chunk in chunked(ids):
        conn.execute(delete(code_links).where(code_links.c.paper_id.in_(chunk)))
    link_rows: list[dict[str, Any]] = []
    repos: dict[str, str] = {}
    for paper_id, row in rows:
        inputs = _inputs(row)
        links = found[inputs] if found is not None and inputs in found else links_for(inputs)
        for position, link in enumerate(links):
            key = repo_key(link)
            if key is not None and link.name:
                repos.setdefault(key, link.name)
            link_rows.append(
                {
                    "paper_id": paper_id,
                    "position": position,
                    "kind": link.kind,
                    "url": link.url,
                    "name": link.name,
                    "repo_key": key,
                    "official": link.official,
                    "source": link.source,
                }
            )
    if repos:
        conn.execute(
            insert_ignoring_duplicates(conn.engine, github_repos),
            [{"key": k, "full_name": name, "status": "new"} for k, name in repos.items()],
        )
    if link_rows:
        conn.execute(insert(code_links), link_rows)
    return len(link_rows)


def _repo(row: Any) -> RepoInfo:
    return RepoInfo(
        key=row.key,
        full_name=row.full_name,
        status=row.status,
        stars=row.stars,
        pushed_at=row.pushed_at,
        archived=row.archived,
        description=row.description,
        license=row.license,
        checked_at=row.checked_at,
    )


class CodeStore(Repository):
    """Code links, GitHub repositories and star snapshots."""

    # -- links -------------------------------------------------------------------------

    def paper_id_batches(self, batch_size: int = 500) -> Iterator[list[int]]:
        """All paper ids in ascending batches (the backfill's work list)."""
        return paper_id_batches(self.engine, batch_size)

    def refresh_links(self, paper_ids: Sequence[int]) -> int:
        """Re-derive the links of these papers in one transaction; returns links written.

        Idempotent: the same papers give the same rows."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(papers.c.id, papers.c.abstract, papers.c.comment, papers.c.links).where(
                    papers.c.id.in_(list(paper_ids))
                )
            ).mappings()
            return write_paper_links(conn, [(int(r["id"]), dict(r)) for r in rows])

    def count_links(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(code_links.c.kind, func.count()).group_by(code_links.c.kind)
            ).all()
        return {kind: int(n) for kind, n in rows}

    def links_for_papers(
        self, paper_ids: Iterable[int], *, today: date | None = None, gain_days: int = 7
    ) -> dict[int, list[StoredCodeLink]]:
        """Each paper's links in order, GitHub ones with their repository's facts and the
        star gain over ``gain_days`` (up to ``today``, default the newest snapshot)."""
        ids = list(dict.fromkeys(paper_ids))
        found: dict[int, list[StoredCodeLink]] = {}
        raw: list[Any] = []
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                raw.extend(
                    conn.execute(
                        select(code_links, github_repos)
                        .outerjoin(github_repos, github_repos.c.key == code_links.c.repo_key)
                        .where(code_links.c.paper_id.in_(chunk))
                        .order_by(code_links.c.paper_id, code_links.c.position)
                    ).all()
                )
            keys = sorted({r.repo_key for r in raw if r.repo_key and r.stars is not None})
            gains = self._gains(conn, keys, gain_days, today)
        for r in raw:
            info = _repo(r) if r.repo_key and r.key is not None else None
            found.setdefault(int(r.paper_id), []).append(
                StoredCodeLink(
                    kind=r.kind,
                    url=r.url,
                    name=r.name,
                    official=bool(r.official),
                    source=r.source,
                    repo=info,
                    gain=gains.get(r.repo_key) if r.repo_key else None,
                )
            )
        return found

    def links_for(self, paper_id: int) -> list[StoredCodeLink]:
        return self.links_for_papers([paper_id]).get(paper_id, [])

    # -- GitHub repositories -----------------------------------------------------------

    def get_repo(self, key: str) -> RepoInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(github_repos).where(github_repos.c.key == key.lower())
            ).first()
        return _repo(row) if row else None

    def repos_to_sync(self, today: date, *, recent_days: int = 14) -> list[RepoToSync]:
        """Every repository still worth asking about (not gone), in refresh order:
        repositories of recent papers (announced in the last ``recent_days``) first, most
        upvoted first; then the rest, newest paper first; never-synced before synced at
        equal rank."""
        vote_counts = (
            select(votes.c.paper_id, func.count().label("n")).group_by(votes.c.paper_id).subquery()
        )
        upvotes = papers.c.imported_upvotes + func.coalesce(vote_counts.c.n, 0)
        stmt = (
            select(
                github_repos.c.key,
                github_repos.c.full_name,
                github_repos.c.etag,
                github_repos.c.stars,
                github_repos.c.checked_at,
                func.max(papers.c.announced).label("announced"),
                func.max(upvotes).label("upvotes"),
            )
            .join(code_links, code_links.c.repo_key == github_repos.c.key)
            .join(papers, papers.c.id == code_links.c.paper_id)
            .outerjoin(vote_counts, vote_counts.c.paper_id == papers.c.id)
            .where(github_repos.c.status != "gone")
            .group_by(
                github_repos.c.key,
                github_repos.c.full_name,
                github_repos.c.etag,
                github_repos.c.stars,
                github_repos.c.checked_at,
            )
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        start = today - timedelta(days=recent_days)

        def rank(row: Any) -> tuple[int, int, int, str]:
            recent = row.announced is not None and row.announced >= start
            ordinal = row.announced.toordinal() if row.announced else 0
            return (
                0 if recent else 1,
                -int(row.upvotes or 0) if recent else -ordinal,
                0 if row.stars is None else 1,
                row.key,
            )

        return [
            RepoToSync(r.key, r.full_name, r.etag, r.stars, r.checked_at)
            for r in sorted(rows, key=rank)
        ]

    def record_repo(
        self,
        key: str,
        *,
        full_name: str,
        stars: int,
        pushed_at: datetime | None,
        archived: bool,
        description: str | None,
        license: str | None,
        etag: str | None,
        now: datetime,
    ) -> None:
        """A 200 from GitHub: the facts, and today's star snapshot, in one transaction."""
        with self.engine.begin() as conn:
            conn.execute(
                update(github_repos)
                .where(github_repos.c.key == key)
                .values(
                    full_name=full_name,
                    status="ok",
                    stars=stars,
                    pushed_at=pushed_at,
                    archived=archived,
                    description=description,
                    license=license,
                    etag=etag,
                    checked_at=now,
                )
            )
            self._snapshot(conn, key, now.date(), stars)

    def record_not_modified(self, key: str, *, now: datetime) -> None:
        """A 304: nothing changed since the stored answer, so today's count is the stored
        one."""
        with self.engine.begin() as conn:
            conn.execute(
                update(github_repos).where(github_repos.c.key == key).values(checked_at=now)
            )
            stars = conn.execute(
                select(github_repos.c.stars).where(github_repos.c.key == key)
            ).scalar_one_or_none()
            if stars is not None:
                self._snapshot(conn, key, now.date(), int(stars))

    def record_gone(self, key: str, *, now: datetime) -> None:
        """A 404 (or 451): recorded once; the sync never asks again."""
        with self.engine.begin() as conn:
            conn.execute(
                update(github_repos)
                .where(github_repos.c.key == key)
                .values(status="gone", etag=None, checked_at=now)
            )

    @staticmethod
    def _snapshot(conn: Connection, key: str, day: date, stars: int) -> None:
        # Trending counts star gains: its cache must see the new snapshot at once.
        bump_counter(conn, "stars")
        conn.execute(
            delete(github_star_snapshots).where(
                github_star_snapshots.c.repo_key == key, github_star_snapshots.c.day == day
            )
        )
        conn.execute(insert(github_star_snapshots).values(repo_key=key, day=day, stars=stars))

    def add_snapshot(self, key: str, day: date, stars: int) -> None:
        """Record a star count for a day (the sync does this; also for tests and imports)."""
        with self.engine.begin() as conn:
            self._snapshot(conn, key.lower(), day, stars)

    def snapshots(self, key: str) -> list[tuple[date, int]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(github_star_snapshots.c.day, github_star_snapshots.c.stars)
                .where(github_star_snapshots.c.repo_key == key.lower())
                .order_by(github_star_snapshots.c.day)
            ).all()
        return [(d, int(s)) for d, s in rows]

    def star_gain(self, repo: str, days: int, *, today: date | None = None) -> StarGain | None:
        """Stars ``repo`` (``owner/name``) gained over the last ``days`` days.

        From the newest snapshot on or before ``today`` (default: the newest) back to the
        newest snapshot on or before that day minus ``days``; when there is none that
        old, back to the oldest snapshot in the window (``full_window`` False). None with
        fewer than two snapshot days: a single count says nothing about a gain."""
        with self.engine.connect() as conn:
            return self._gains(conn, [repo.lower()], days, today).get(repo.lower())

    def star_gains(
        self, repos: Iterable[str], days: int, *, today: date | None = None
    ) -> dict[str, StarGain]:
        keys = sorted({r.lower() for r in repos})
        with self.engine.connect() as conn:
            return self._gains(conn, keys, days, today)

    def papers_with_code(self, paper_ids: Iterable[int]) -> set[int]:
        """Which of these papers link a code repository (GitHub, GitLab, Bitbucket)."""
        ids = list(dict.fromkeys(paper_ids))
        found: set[int] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    with_code_repository().where(code_links.c.paper_id.in_(chunk)).distinct()
                )
                found.update(int(pid) for (pid,) in rows)
        return found

    def arxiv_ids_with_code(self) -> list[str]:
        """The arXiv ids of every paper that links a code repository."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(papers.c.arxiv_id).where(papers.c.id.in_(with_code_repository()))
            )
            return [str(a) for (a,) in rows]

    def official_star_gains(
        self, paper_ids: Iterable[int], days: int, *, today: date
    ) -> dict[int, StarGain]:
        """Each paper's official GitHub repository's star gain over ``days`` up to
        ``today``. Papers without one are left out, and so are gains that end before the
        window starts (a repository not synced lately says nothing about this week)."""
        ids = list(dict.fromkeys(paper_ids))
        official: dict[int, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(code_links.c.paper_id, code_links.c.repo_key).where(
                        code_links.c.paper_id.in_(chunk),
                        code_links.c.official.is_(True),
                        code_links.c.repo_key.is_not(None),
                    )
                )
                official.update({int(pid): str(key) for pid, key in rows})
            gains = self._gains(conn, sorted(set(official.values())), days, today)
        start = today - timedelta(days=days)
        return {
            pid: gains[key]
            for pid, key in official.items()
            if key in gains and gains[key].until > start
        }

    @staticmethod
    def _gains(
        conn: Connection, keys: Sequence[str], days: int, today: date | None
    ) -> dict[str, StarGain]:
        history: dict[str, list[tuple[date, int]]] = {}
        for chunk in chunked(keys):
            stmt = select(
                github_star_snapshots.c.repo_key,
                github_star_snapshots.c.day,
                github_star_snapshots.c.stars,
            ).where(github_star_snapshots.c.repo_key.in_(chunk))
            if today is not None:
                stmt = stmt.where(github_star_snapshots.c.day <= today)
            for key, day, stars in conn.execute(stmt.order_by(github_star_snapshots.c.day)):
                history.setdefault(key, []).append((day, int(stars)))
        gains: dict[str, StarGain] = {}
        for key, points in history.items():
            until, latest = points[-1]
            start = until - timedelta(days=days)
            older = [p for p in points if p[0] <= start]
            if older:
                since, base = older[-1]
                full = True
            else:
                since, base = points[0]
                full = False
            if since < until:
                gains[key] = StarGain(latest - base, since, until, full)
        return gains
