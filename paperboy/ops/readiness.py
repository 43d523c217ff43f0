"""Readiness for load balancers: may this process get traffic now?

Ready means the database answers, its schema is the one this code expects, and the
keyword index has been built (or there is nothing to index). Reasons are short and name
no host, user or path: ``/ready`` may be reachable from outside, the log has the detail."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.db import DatabaseError

log = logging.getLogger("paperboy.ops")

OK = "ok"
NOT_BUILT = "not built yet (the background indexer or paperboy index update builds it)"
CAUGHT_UP_LAG = 100  # papers an index may trail by at start-up and count as built


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # check -> "ok" or why not

    @property
    def ready(self) -> bool:
        return all(state == OK for state in self.checks.values())

    @property
    def reason(self) -> str | None:
        failed = [f"{name}: {state}" for name, state in self.checks.items() if state != OK]
        return "; ".join(failed) or None


def check_readiness(store: Store, search: SearchService) -> Readiness:
    result = Readiness()
    try:
        store.operations.ping()
    except (DatabaseError, OSError):
        log.warning("readiness: the database does not answer", exc_info=True)
        result.checks["database"] = "unreachable"
        result.checks["migrations"] = "unknown (database unreachable)"
        result.checks["keyword_index"] = index_state(store, search, database_up=False)
        return result
    result.checks["database"] = OK
    schema = store.operations.schema_state()
    result.checks["migrations"] = (
        OK
        if schema.is_current
        else f"database at revision {schema.current or 'none'}, code expects {schema.head} "
        "(run paperboy db upgrade)"
    )
    result.checks["keyword_index"] = index_state(store, search, database_up=True)
    return result


def index_state(store: Store, search: SearchService, *, database_up: bool) -> str:
    """ "ok" once this process's keyword index has caught up with the database: a pass
    read to the end, or (an index another process writes) it has read something and
    trails by at most CAUGHT_UP_LAG papers (nothing to read counts too). It stays ok
    after that, so a large ingest on a running site never takes every node out of the
    load balancer at once. A cold node is not ready while it builds: it would find only
    the papers indexed so far."""
    lexical = search.lexical
    if lexical.caught_up:
        return OK
    since, after_id = lexical.position()
    if not database_up:
        return OK if since is not None else NOT_BUILT
    behind = store.operations.count_changed_after(since, after_id)
    if behind <= (0 if since is None else CAUGHT_UP_LAG):
        lexical.caught_up = True
        return OK
    if since is None:
        return NOT_BUILT
    return f"building: {behind} papers not indexed yet"
