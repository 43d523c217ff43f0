"""Upgrading a database that already holds data keeps every row: on SQLite, a migration
that rebuilds the papers table must not cascade-delete what points at it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from paperboy.store import Store
from paperboy.store.db import make_engine, upgrade_schema

ROWS = {
    "papers": 1,
    "paper_categories": 2,
    "paper_embeddings": 1,
    "users": 1,
    "votes": 1,
    "comments": 1,
}


@pytest.mark.empty_database
def test_upgrading_from_0004_keeps_rows_that_reference_papers(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_schema(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO papers (id, arxiv_id, title, authors, categories, "
                "announced_estimated, links, imported_upvotes, content_hash, text_hash, "
                "first_seen, last_changed) VALUES (1, '2606.00001', 'A paper', '[]', "
                "'[\"cs.LG\", \"stat.ML\"]', false, '{}', 3, 'c', 't', "
                "'2026-06-30 00:00:00', '2026-06-30 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO paper_categories (paper_id, category, position) "
                "VALUES (1, 'cs.LG', 0), (1, 'stat.ML', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO paper_embeddings (paper_id, model, text_hash, vector, updated_at)"
                " VALUES (1, 'm', 't', :v, '2026-06-30 00:00:00')"
            ),
            {"v": b"\x00\x01"},
        )
        conn.execute(
            text(
                "INSERT INTO users (id, email, display_name, role, suspended, created_at) "
                "VALUES (1, 'a@example.org', 'a', 'reader', false, '2026-06-30 00:00:00')"
            )
        )
        conn.execute(
            text("INSERT INTO votes (user_id, paper_id, created_at) VALUES (1, 1, '2026-06-30')")
        )
        conn.execute(
            text(
                "INSERT INTO comments (paper_id, user_id, body, created_at, deleted, hidden) "
                "VALUES (1, 1, 'hi', '2026-06-30 00:00:00', false, false)"
            )
        )
    engine.dispose()
    store = Store.open(db_url)  # migrates to the newest schema
    with store.engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in ROWS}
    assert counts == ROWS
    paper = store.papers.get_paper("2606.00001")
    assert paper is not None and not paper.hidden
    assert store.votes.vote_totals([paper.id]) == {paper.id: 4}
    store.close()
