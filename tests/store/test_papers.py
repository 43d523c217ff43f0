"""Storage tests: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from paperboy.arxiv import PaperRecord
from paperboy.ingest.records import make_record
from paperboy.store import Store
from paperboy.store.db import schema_is_current, upgrade_schema
from paperboy.store.models import Base, paper_categories, papers


def rec(arxiv_id: str = "2501.00001", **fields: object) -> PaperRecord:
    base: dict[str, object] = {
        "title": "A paper",
        "abstract": "Some abstract.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.LG", "stat.ML"],
        "announced": date(2025, 1, 6),
    }
    base.update(fields)
    title = base.pop("title")
    return make_record(arxiv_id, title, source="test", **base)  # type: ignore[arg-type]


def category_rows(store: Store) -> list[tuple[str, str, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(papers.c.arxiv_id, paper_categories.c.category, paper_categories.c.position)
            .join(papers, papers.c.id == paper_categories.c.paper_id)
            .order_by(papers.c.arxiv_id, paper_categories.c.position)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_migrations_match_models(store: Store) -> None:
    assert schema_is_current(store.engine)
    upgrade_schema(store.engine)  # running again is a no-op
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_insert_then_identical_reingest_changes_nothing(store: Store) -> None:
    first = store.papers.upsert_papers([rec("2501.00001"), rec("2501.00002", title="Other")])
    assert sorted(first.added) == ["2501.00001", "2501.00002"]
    before = store.papers.get_paper("2501.00001")
    again = store.papers.upsert_papers([rec("2501.00001"), rec("2501.00002", title="Other")])
    assert again.added == [] and again.updated == []
    assert sorted(again.unchanged) == ["2501.00001", "2501.00002"]
    assert store.papers.count_papers() == 2
    assert store.papers.get_paper("2501.00001") == before


def test_newer_version_updates_in_place(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001v1")])
    old = store.papers.get_paper("2501.00001")
    assert old is not None and old.version == 1
    result = store.papers.upsert_papers(
        [rec("2501.00001v2", title="A better title", categories=["cs.AI"])]
    )
    assert result.updated == ["2501.00001"]
    new = store.papers.get_paper("2501.00001")
    assert new is not None
    assert (new.id, new.version, new.title) == (old.id, 2, "A better title")
    assert new.announced == old.announced  # the first announcement stays
    assert category_rows(store) == [("2501.00001", "cs.AI", 0)]
    # An older version arriving late is ignored.
    stale = store.papers.upsert_papers([rec("2501.00001v1", title="Stale")])
    assert stale.unchanged == ["2501.00001"]
    got = store.papers.get_paper("2501.00001")
    assert got is not None and got.title == "A better title"


def test_fields_a_source_does_not_know_keep_their_values(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001", comment="10 pages")])
    hf = replace(rec("2501.00001"), categories=None, comment=None, upvotes=42)
    assert store.papers.upsert_papers([hf]).updated == ["2501.00001"]
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None
    assert paper.categories == ["cs.LG", "stat.ML"] and paper.comment == "10 pages"
    assert paper.imported_upvotes == 42


def test_duplicates_in_one_batch_keep_the_highest_version(store: Store) -> None:
    result = store.papers.upsert_papers(
        [rec("2501.00001v3", title="v3"), rec("2501.00001v1", title="v1"), rec("2501.00002")]
    )
    assert sorted(result.added) == ["2501.00001", "2501.00002"]
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None and (paper.version, paper.title) == (3, "v3")


def test_authors_keep_their_order_and_categories_their_rank(store: Store) -> None:
    authors = ["Zed", "Amy", "Mo"]
    store.papers.upsert_papers(
        [rec("2501.00001", authors=authors, categories=["math.AG", "cs.LG"])]
    )
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None
    assert paper.authors == authors and paper.primary_category == "math.AG"
    assert category_rows(store) == [("2501.00001", "math.AG", 0), ("2501.00001", "cs.LG", 1)]


def test_feed_by_period_and_category(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", announced=date(2025, 1, 6), categories=["cs.LG"]),
            rec("2501.00002", announced=date(2025, 1, 6), categories=["cs.CV", "cs.LG"]),
            rec("2501.00003", announced=date(2025, 1, 8), categories=["cs.CV"]),
            rec("2501.00004", announced=date(2025, 1, 10), categories=["cs.CL"]),
        ]
    )
    day = store.papers.feed(date(2025, 1, 6), date(2025, 1, 6))
    assert day.total == 2 and {p.arxiv_id for p in day.papers} == {"2501.00001", "2501.00002"}
    cross_listed = store.papers.feed(date(2025, 1, 1), date(2025, 1, 31), category="cs.LG")
    assert [p.arxiv_id for p in cross_listed.papers] == ["2501.00002", "2501.00001"]
    week = store.papers.feed(date(2025, 1, 6), date(2025, 1, 12), limit=2, offset=2)
    assert week.total == 4 and [p.arxiv_id for p in week.papers] == ["2501.00002", "2501.00001"]
    assert store.papers.latest_announced() == date(2025, 1, 10)
    assert store.papers.neighbour_days(date(2025, 1, 8), date(2025, 1, 8)) == (
        date(2025, 1, 6),
        date(2025, 1, 10),
    )
    assert store.papers.neighbour_days(date(2025, 1, 6), date(2025, 1, 10)) == (None, None)
    # Counted as the filter counts them: cross-lists included.
    assert store.papers.category_counts(date(2025, 1, 6), date(2025, 1, 8)) == [
        ("cs.CV", 2),
        ("cs.LG", 2),
    ]


def test_source_state_round_trip_and_atomic_with_papers(store: Store) -> None:
    assert store.papers.get_state("oai:x") is None
    store.papers.set_state("oai:x", {"token": "a"})
    store.papers.set_state("oai:x", {"token": "b"})
    assert store.papers.get_state("oai:x") == {"token": "b"}
    store.papers.upsert_papers([rec("2501.00001")], state=("oai:x", {"token": "c"}))
    assert store.papers.get_state("oai:x") == {"token": "c"} and store.papers.count_papers() == 1


def test_timezone_aware_dates_are_stored_as_utc(store: Store) -> None:
    from datetime import timedelta, timezone

    aware = datetime(2025, 1, 6, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    store.papers.upsert_papers([rec("2501.00001", submitted=aware)])
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None and paper.submitted == datetime(2025, 1, 6, 10, 0)


def test_concurrent_writers_never_duplicate(store: Store) -> None:
    batch = [rec(f"2501.{i:05d}") for i in range(1, 201)]
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.papers.upsert_papers(batch)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(papers)).scalar_one() == 200
        assert conn.execute(select(func.count()).select_from(paper_categories)).scalar_one() == 400


def test_a_record_without_version_cannot_revert_a_versioned_paper(store: Store) -> None:
    bulk = rec("2501.00001", title="Old title", abstract="Old abstract.")
    store.papers.upsert_papers([bulk])
    store.papers.upsert_papers([rec("2501.00001v3", title="New title", abstract="New abstract.")])
    again = store.papers.upsert_papers([bulk])
    assert again.unchanged == ["2501.00001"]  # idempotent: nothing flips back
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None
    assert (paper.version, paper.title, paper.abstract) == (3, "New title", "New abstract.")
    # ... but it may still fill in what the paper lacks.
    store.papers.upsert_papers([rec("2501.00001", comment="Accepted at ICML")])
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None and paper.comment == "Accepted at ICML"


def test_an_exact_announcement_date_replaces_an_estimate(store: Store) -> None:
    estimate = replace(rec("2501.00001"), announced=date(2025, 1, 9), announced_estimated=True)
    store.papers.upsert_papers([estimate])
    store.papers.upsert_papers([rec("2501.00001", announced=date(2025, 1, 7))])
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None and (paper.announced, paper.announced_estimated) == (
        date(2025, 1, 7),
        False,
    )
    # Neither a later estimate nor a second exact date moves it again.
    store.papers.upsert_papers([replace(estimate, announced=date(2025, 2, 1))])
    store.papers.upsert_papers([rec("2501.00001", announced=date(2025, 3, 1))])
    paper = store.papers.get_paper("2501.00001")
    assert paper is not None and paper.announced == date(2025, 1, 7)
