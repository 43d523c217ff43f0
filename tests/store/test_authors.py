"""The authors tables: written with the paper in the upsert's transaction, rewritten
when a paper's authors change, backfilled by the migration; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from paperboy.store import Store
from paperboy.store.db import make_engine, upgrade_schema
from paperboy.store.models import authors, paper_authors
from tests.store.test_papers import rec


def _names(store: Store, arxiv_id: str) -> list[str]:
    paper = store.papers.get_paper(arxiv_id)
    assert paper is not None
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(authors.c.key)
            .join(paper_authors, paper_authors.c.author_id == authors.c.id)
            .where(paper_authors.c.paper_id == paper.id)
            .order_by(paper_authors.c.position)
        )
        return [str(k) for k in rows.scalars()]


def _arxiv_ids(store: Store, paper_ids: list[int]) -> list[str]:
    found = store.papers.get_papers_by_ids(paper_ids)
    return [found[i].arxiv_id for i in paper_ids]


def test_upsert_writes_and_rewrites_author_rows(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", authors=["Jean-Pierre Müller", "Ada Lovelace"]),
            rec("2501.00002", authors=["Jean Pierre Muller"], announced=date(2025, 1, 7)),
        ]
    )
    assert _names(store, "2501.00001") == ["jean pierre muller", "ada lovelace"]
    with store.engine.connect() as conn:  # one row per key, the first spelling kept
        assert conn.execute(select(func.count()).select_from(authors)).scalar_one() == 2
    match = store.authors.match_name("JEAN-PIERRE MULLER")
    assert list(match.names.values()) == ["Jean-Pierre Müller"]
    assert _arxiv_ids(store, store.authors.page_ids(match, 10)) == ["2501.00002", "2501.00001"]
    assert store.authors.summary(match) == (2, 0, 0)
    # A new version with other authors rewrites the rows in the same transaction.
    store.papers.upsert_papers([rec("2501.00001", version=2, authors=["Grace Hopper"])])
    assert _names(store, "2501.00001") == ["grace hopper"]
    assert store.authors.arxiv_ids_of("Jean-Pierre Müller") == {"2501.00002"}
    assert store.authors.arxiv_ids_of("Grace Hopper") == {"2501.00001"}


def test_initials_resolve_against_the_names_known(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", authors=["John Smith", "Ada Lovelace"]),
            rec("2501.00002", authors=["J. Smith", "Ada Lovelace"]),
        ]
    )
    assert store.authors.arxiv_ids_of("John Smith") == {"2501.00001", "2501.00002"}
    assert store.authors.arxiv_ids_of("J Smith") == {"2501.00001", "2501.00002"}
    store.papers.upsert_papers([rec("2501.00003", authors=["Jane Smith"])])
    assert store.authors.full_name_candidates("j smith") == ["Jane Smith", "John Smith"]
    assert store.authors.full_name_candidates("john smith") == []
    # Now "J. Smith" could be Jane: it stands for itself only.
    assert store.authors.arxiv_ids_of("J. Smith") == {"2501.00002"}
    assert store.authors.arxiv_ids_of("John Smith") == {"2501.00001"}
    assert store.authors.arxiv_ids_of("smith") == {"2501.00001", "2501.00002", "2501.00003"}
    both = store.authors.match_name("John Smith")
    ada = store.authors.match_name("Ada Lovelace")
    coauthors = store.authors.coauthors(ada)
    assert [(c.name, c.papers) for c in coauthors] == [("J. Smith", 1), ("John Smith", 1)]
    assert both.author_ids


def test_hidden_papers_leave_the_page_but_not_the_index(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001"), rec("2501.00002")])
    paper = store.papers.get_paper("2501.00002")
    assert paper is not None
    store.moderation.set_paper_hidden(paper.id, True)
    ada = store.authors.match_name("Ada Lovelace")
    assert _arxiv_ids(store, store.authors.page_ids(ada, 10)) == ["2501.00001"]
    assert store.authors.summary(ada)[0] == 1
    assert store.authors.arxiv_ids_of("Ada Lovelace") == {"2501.00001", "2501.00002"}


@pytest.mark.empty_database
def test_migration_0015_backfills_papers_stored_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_schema(engine, "0014")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO papers (id, arxiv_id, title, authors, categories, "
                "announced_estimated, links, imported_upvotes, content_hash, text_hash, "
                "first_seen, last_changed, hidden) VALUES (1, '2606.00001', 'A paper', "
                '\'["\u00c9mile Borel", "J. Smith", "John Smith"]\', \'["math.PR"]\', '
                "false, '{}', 0, 'c', 't', '2026-06-30 00:00:00', '2026-06-30 00:00:00', false)"
            )
        )
    upgrade_schema(engine)
    engine.dispose()
    store = Store.open(db_url)
    assert store.authors.arxiv_ids_of("emile borel") == {"2606.00001"}
    assert store.authors.count_names() == 3
    assert store.authors.backfill() == 1  # the one-command backfill: idempotent
    assert store.authors.count_names() == 3
    assert _names(store, "2606.00001") == ["emile borel", "j smith", "john smith"]
    store.close()
