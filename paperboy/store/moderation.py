"""Storage of editor's picks (``picks``, one row per featured paper) and of the
``hidden`` flag admins set on papers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.store._rows import Repository, bump_counter
from paperboy.store.models import change_counters, papers, picks


class ModerationStore(Repository):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # (counter, (paper ids, arXiv ids)) of the hidden papers
        self._hidden: tuple[int, tuple[frozenset[int], frozenset[str]]] | None = None

    def toggle_pick(
        self, paper_id: int, user_id: int, day: date, *, now: datetime | None = None
    ) -> bool:
        """Feature the paper on ``day``, or take the pick back if it exists; True when
        the paper is picked afterwards."""
        try:
            with self.engine.begin() as conn:
                bump_counter(conn, "content")  # anonymous pages show it
                conn.execute(
                    insert(picks).values(
                        paper_id=paper_id, day=day, user_id=user_id, created_at=now or utcnow()
                    )
                )
            return True
        except IntegrityError:
            with self.engine.begin() as conn:
                bump_counter(conn, "content")  # anonymous pages show it
                conn.execute(delete(picks).where(picks.c.paper_id == paper_id))
            return False

    def picked(self, paper_ids: Iterable[int]) -> set[int]:
        """The papers among ``paper_ids`` that are editor's picks."""
        ids = list(paper_ids)
        if not ids:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(select(picks.c.paper_id).where(picks.c.paper_id.in_(ids)))
            return {int(pid) for (pid,) in rows}

    def pick_ids_on(self, day: date) -> list[int]:
        """Ids of the papers picked for ``day``, most recently picked first."""
        query = (
            select(picks.c.paper_id)
            .where(picks.c.day == day)
            .order_by(picks.c.created_at.desc(), picks.c.paper_id.desc())
        )
        with self.engine.connect() as conn:
            return [int(pid) for (pid,) in conn.execute(query)]

    def set_paper_hidden(self, paper_id: int, hidden: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(papers).where(papers.c.id == paper_id).values(hidden=hidden))
            bump_counter(conn, "hidden")

    def hidden_paper_ids(self) -> frozenset[int]:
        """Every hidden paper (admins hide few, so the set stays small). Cached until
        the ``hidden`` change counter moves (in this process or another): reading it is
        one row, scanning the papers for the flag is not."""
        return self._hidden_papers()[0]

    def hidden_arxiv_ids(self) -> frozenset[str]:
        """The arXiv ids of the hidden papers (cached as hidden_paper_ids)."""
        return self._hidden_papers()[1]

    def _hidden_papers(self) -> tuple[frozenset[int], frozenset[str]]:
        c = change_counters
        with self.engine.connect() as conn:
            version = int(conn.execute(select(c.c.value).where(c.c.name == "hidden")).scalar_one())
            cached = self._hidden
            if cached is not None and cached[0] == version:
                return cached[1]
            rows = conn.execute(
                select(papers.c.id, papers.c.arxiv_id).where(papers.c.hidden.is_(True))
            ).all()
        found = (frozenset(int(r[0]) for r in rows), frozenset(str(r[1]) for r in rows))
        self._hidden = (version, found)
        return found
