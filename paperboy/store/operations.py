"""What operations ask the database: is it reachable, is its schema current, how far the
keyword index trails it. Cheap statements only: ``/ready`` and ``/metrics`` run them on
every probe and scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import and_, func, or_, select, text

from paperboy.store._rows import Repository
from paperboy.store.db import _alembic_config
from paperboy.store.models import papers


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the database's revision; None before the first migration
    head: str  # the newest revision this code knows

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_known(self) -> bool:
        """Whether this code knows the database's revision (False: newer code wrote it)."""
        return self.current is None or self.current in known_revisions()


@cache
def head_revision() -> str:
    """The newest migration of this code (read once: parsing the scripts takes ~10 ms)."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


@cache
def known_revisions() -> frozenset[str]:
    """Every migration this code has (a database at another revision is newer code's)."""
    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


class OperationsStore(Repository):
    def ping(self) -> None:
        """One round trip; raises the driver's error when the database does not answer."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()

    def schema_state(self) -> SchemaState:
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        return SchemaState(current=current, head=head_revision())

    def count_changed_after(self, since: datetime | None, after_id: int) -> int:
        """Papers whose (last_changed, id) is past the position ``(since, after_id)``:
        what the keyword index has not read yet (all papers when ``since`` is None)."""
        stmt = select(func.count()).select_from(papers)
        if since is not None:
            stmt = stmt.where(
                or_(
                    papers.c.last_changed > since,
                    and_(papers.c.last_changed == since, papers.c.id > after_id),
                )
            )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
