"""Code links in the store (SQLite and PostgreSQL): written with the paper in the upsert,
rewritten when the text changes, backfilled idempotently; star snapshots and gains."""

from __future__ import annotations

from datetime import date, datetime

from paperboy.arxiv import PaperRecord
from paperboy.ingest.codelinks import backfill_links
from paperboy.store import Store
from paperboy.store.models import code_links


def record(arxiv_id: str, abstract: str, comment: str | None = None, **kw: object) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=f"Paper {arxiv_id}",
        abstract=abstract,
        comment=comment,
        categories=["cs.LG"],
        announced=date(2026, 6, 30),
        **kw,  # type: ignore[arg-type]
    )


def test_links_are_written_with_the_paper_and_follow_its_text(store: Store) -> None:
    store.papers.upsert_papers(
        [
            record(
                "2606.00001",
                "We build on https://github.com/big/framework. "
                "Our code: https://github.com/Me/Ours.git.",
                "Project page: https://me.github.io/ours/",
            ),
            record("2606.00002", "No links here."),
        ]
    )
    paper = store.papers.get_paper("2606.00001")
    assert paper is not None
    links = store.code.links_for(paper.id)
    assert [(c.kind, c.url, c.official, c.source) for c in links] == [
        ("github", "https://github.com/big/framework", False, "abstract"),
        ("github", "https://github.com/Me/Ours", True, "abstract"),
        ("project", "https://me.github.io/ours", False, "comment"),
    ]
    # Every GitHub repository is known to the sync, never synced yet: no numbers.
    repo = store.code.get_repo("me/ours")
    assert repo is not None and repo.status == "new" and repo.stars is None
    assert links[1].repo is not None and not links[1].repo.synced
    # A new version of the abstract replaces its links (the comment is kept); the
    # repository row stays.
    store.papers.upsert_papers(
        [record("2606.00001", "Code at https://gitlab.com/grp/proj", version=2)]
    )
    assert [(c.kind, c.url) for c in store.code.links_for(paper.id)] == [
        ("gitlab", "https://gitlab.com/grp/proj"),
        ("project", "https://me.github.io/ours"),
    ]
    assert store.code.get_repo("me/ours") is not None
    other = store.papers.get_paper("2606.00002")
    assert other is not None and store.code.links_for(other.id) == []


def test_hf_fields_in_links_make_the_official_repository(store: Store) -> None:
    store.papers.upsert_papers(
        [
            record(
                "2606.00003",
                "Our code is at https://github.com/a/text-says.",
                links={"github_repo": "https://github.com/a/hf-says"},
            )
        ]
    )
    paper = store.papers.get_paper("2606.00003")
    assert paper is not None
    official = [c.url for c in store.code.links_for(paper.id) if c.official]
    assert official == ["https://github.com/a/hf-says"]


def test_backfill_is_idempotent(store: Store) -> None:
    store.papers.upsert_papers(
        [record(f"2606.{i:05d}", f"Code: https://github.com/o/r{i % 3}") for i in range(1, 8)]
    )
    with store.engine.begin() as conn:  # as if stored before extraction existed
        conn.execute(code_links.delete())
    first = backfill_links(store, batch_size=3)
    assert (first.papers, first.links, first.by_kind) == (7, 7, {"github": 7})
    second = backfill_links(store, batch_size=3)
    assert (second.papers, second.links, second.by_kind) == (7, 7, {"github": 7})
    assert "7 papers read, 7 links stored (7 github)" in second.summary()


def test_star_gain_over_a_window(store: Store) -> None:
    store.papers.upsert_papers([record("2606.00001", "Code: https://github.com/o/r")])
    assert store.code.star_gain("o/r", 7) is None  # never synced
    store.code.add_snapshot("o/r", date(2026, 6, 20), 100)
    assert store.code.star_gain("o/r", 7) is None  # one count says nothing about a gain
    store.code.add_snapshot("o/r", date(2026, 6, 27), 130)
    partial = store.code.star_gain("o/r", 14)
    assert partial is not None
    assert (partial.gain, partial.since, partial.full_window) == (30, date(2026, 6, 20), False)
    store.code.add_snapshot("o/r", date(2026, 6, 30), 150)
    store.code.add_snapshot("o/r", date(2026, 6, 30), 160)  # the day's last count wins
    week = store.code.star_gain("O/R", 7)
    assert week is not None
    assert (week.gain, week.since, week.until, week.full_window) == (
        60,
        date(2026, 6, 20),
        date(2026, 6, 30),
        True,
    )
    three = store.code.star_gain("o/r", 3)
    assert three is not None and (three.gain, three.since) == (30, date(2026, 6, 27))
    assert store.code.star_gain("o/r", 7, today=date(2026, 6, 27)) == partial.__class__(
        30, date(2026, 6, 20), date(2026, 6, 27), True
    )


def test_refresh_order_recent_and_upvoted_first(store: Store) -> None:
    store.papers.upsert_papers(
        [
            record("2606.00001", "Code: https://github.com/o/old-popular", upvotes=500),
            record("2606.00002", "Code: https://github.com/o/recent-quiet", upvotes=1),
            record("2606.00003", "Code: https://github.com/o/recent-loved", upvotes=40),
        ]
    )
    with store.engine.begin() as conn:
        from paperboy.store.models import papers

        conn.execute(
            papers.update()
            .where(papers.c.arxiv_id == "2606.00001")
            .values(announced=date(2026, 1, 5))
        )
    order = [r.key for r in store.code.repos_to_sync(date(2026, 7, 1))]
    assert order == ["o/recent-loved", "o/recent-quiet", "o/old-popular"]
    store.code.record_gone("o/recent-quiet", now=datetime(2026, 7, 1))
    assert [r.key for r in store.code.repos_to_sync(date(2026, 7, 1))] == [
        "o/recent-loved",
        "o/old-popular",
    ]
