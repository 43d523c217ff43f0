"""The keyword index's sync: an idle index re-reads nothing, and a change committed
late with an older stamp is still picked up."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from paperboy.ingest.records import make_record
from paperboy.search.lexical import SYNC_OVERLAP, LexicalIndex
from paperboy.search.query import parse_query
from paperboy.store import Store
from paperboy.store.models import papers

T = datetime(2026, 7, 1, 12, 0, 0)


def _stamp(store: Store, arxiv_id: str | None, at: datetime) -> None:
    stmt = update(papers).values(last_changed=at)
    if arxiv_id is not None:
        stmt = stmt.where(papers.c.arxiv_id == arxiv_id)
    with store.engine.begin() as conn:
        conn.execute(stmt)


def _found(index: LexicalIndex, q: str) -> list[str]:
    index.refresh(force=True)
    return index.search(parse_query(q)).ids


def test_an_idle_index_rereads_nothing_and_misses_no_late_commit(
    store: Store, tmp_path: Path
) -> None:
    store.papers.upsert_papers(
        [make_record(f"2607.{n:05d}", f"Paper number {n}", source="t") for n in range(1, 41)]
    )
    _stamp(store, None, T)  # a bulk ingest: every paper stamped at once
    index = LexicalIndex(tmp_path / "lexical")
    assert index.sync(store, now=T + timedelta(seconds=1)) == 40

    # A transaction that stamped its paper before the index's position but committed
    # after the first pass read: the next pass must still see it.
    store.papers.upsert_papers([make_record("2607.00001v2", "Walrus games", source="t")])
    _stamp(store, "2607.00001", T - timedelta(seconds=5))
    assert index.sync(store, now=T + timedelta(seconds=31)) == 0  # older than the position
    assert _found(index, "walrus") == ["2607.00001"]
    assert index.rewritten == 40  # the overlap since the first pass is re-read once
    assert index.skipped == 39  # but only the late paper is written again

    # Idle from here on: once the previous pass began more than the overlap after the
    # position, a pass reads and writes nothing.
    assert index.sync(store, now=T + timedelta(seconds=61)) == 0
    assert index.rewritten == 40  # the pass at T+31 might still have missed a commit
    idle = T + timedelta(seconds=1) + SYNC_OVERLAP + timedelta(seconds=30)
    for step in range(3):
        assert index.sync(store, now=idle + timedelta(seconds=30 * step)) == 0
        assert index.rewritten == 0
    assert index.num_docs == 40

    # A new paper is still found by the exact position.
    store.papers.upsert_papers([make_record("2607.00099", "Narwhal tusks", source="t")])
    assert index.sync(store, now=idle + timedelta(seconds=120)) == 1
    assert index.rewritten == 1
    assert _found(index, "narwhal") == ["2607.00099"]
