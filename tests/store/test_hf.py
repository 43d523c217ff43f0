"""HF's counts in the store (``store.hf``): one transaction per save with the papers,
counts kept apart from local votes, the breakdown, the newest day with signal. Each
test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from paperboy.store import Store
from paperboy.store.hf import HfEntry
from tests.store.test_papers import rec

AT = datetime(2024, 3, 6, 12, 0)


def test_save_then_refresh_counts_keeps_fields_and_counts_once(store: Store) -> None:
    entry = HfEntry(
        "2403.00001",
        upvotes=55,
        comments=2,
        submitter="akhaliq",
        submitter_name="AK",
        featured_on=date(2024, 3, 5),
        github_repo="https://github.com/o/r",
        ai_summary="HF's summary",
        ai_keywords=["a", "b"],
    )
    result = store.hf.save(
        [rec("2403.00001", upvotes=55)], [entry], synced_at=AT, state=("hf_daily:x", {"etag": "1"})
    )
    assert result.added == ["2403.00001"]
    assert store.papers.get_state("hf_daily:x") == {"etag": "1"}
    paper = store.papers.get_paper("2403.00001")
    assert paper is not None
    info = store.hf.get(paper.id)
    assert info is not None
    assert (info.upvotes, info.comments, info.submitter, info.featured_on) == (
        55,
        2,
        "akhaliq",
        date(2024, 3, 5),
    )
    assert info.hf_url == "https://huggingface.co/papers/2403.00001"

    ada = store.accounts.create_user("ada@example.org")
    bob = store.accounts.create_user("bob@example.org")
    store.votes.toggle_vote(ada.id, paper.id)
    store.votes.toggle_vote(bob.id, paper.id)

    later = datetime(2024, 3, 7, 12, 0)
    refreshed = HfEntry("2403.00001", upvotes=60, comments=3)
    store.hf.save([rec("2403.00001", upvotes=60)], [refreshed], synced_at=later)
    info = store.hf.get(paper.id)
    assert info is not None
    assert (info.upvotes, info.comments, info.synced_at) == (60, 3, later)
    # Fields the new answer leaves out keep their stored value.
    assert (info.submitter, info.github_repo, info.ai_summary, info.ai_keywords) == (
        "akhaliq",
        "https://github.com/o/r",
        "HF's summary",
        ["a", "b"],
    )
    breakdown = store.hf.count_breakdown([paper.id])[paper.id]
    assert (breakdown.hf, breakdown.here, breakdown.total) == (60, 2, 62)
    assert store.votes.vote_totals([paper.id]) == {paper.id: 62}
    assert store.hf.count() == 1 and store.papers.count_papers() == 1


def test_mark_synced_only_moves_the_sync_time(store: Store) -> None:
    store.hf.save([rec("2403.00002", upvotes=4)], [HfEntry("2403.00002", 4)], synced_at=AT)
    later = datetime(2024, 3, 8)
    assert store.hf.mark_synced(["2403.00002", "2403.09999"], later) == 1
    paper = store.papers.get_paper("2403.00002")
    assert paper is not None
    info = store.hf.get(paper.id)
    assert info is not None and (info.upvotes, info.synced_at) == (4, later)


def test_entries_of_unknown_papers_are_ignored(store: Store) -> None:
    store.hf.save([], [HfEntry("2403.00003", 9)], synced_at=AT)
    assert store.hf.count() == 0


def test_newest_signal_day(store: Store) -> None:
    assert store.hf.newest_signal_day() is None
    store.papers.upsert_papers([rec("2403.00010", announced=date(2024, 4, 1))])
    assert store.hf.newest_signal_day() is None  # a paper without HF counts
    store.hf.save(
        [rec("2403.00011", upvotes=3, announced=date(2024, 3, 1))],
        [HfEntry("2403.00011", 3, featured_on=date(2024, 3, 2))],
        synced_at=AT,
    )
    assert store.hf.newest_signal_day() == date(2024, 3, 2)
    # A file without featured days (the demo): the paper's announcement day counts.
    store.hf.save(
        [rec("2403.00012", upvotes=7, announced=date(2024, 3, 9))],
        [HfEntry("2403.00012", 7)],
        synced_at=None,
    )
    assert store.hf.newest_signal_day() == date(2024, 3, 9)
    store.hf.save(
        [rec("2403.00013", upvotes=0, announced=date(2024, 3, 20))],
        [HfEntry("2403.00013", 0, featured_on=date(2024, 3, 20))],
        synced_at=AT,
    )
    assert store.hf.newest_signal_day() == date(2024, 3, 9)  # no upvotes, no signal


def test_a_file_never_beats_counts_synced_from_hf(store: Store) -> None:
    store.hf.save([rec("2403.00020", upvotes=40)], [HfEntry("2403.00020", 40)], synced_at=AT)
    # The demo set loaded again: its older count arrives through the paper upsert too.
    store.papers.upsert_papers([rec("2403.00020", upvotes=12)])
    store.hf.save([], [HfEntry("2403.00020", 12)], synced_at=None)
    paper = store.papers.get_paper("2403.00020")
    assert paper is not None and paper.imported_upvotes == 40
    info = store.hf.get(paper.id)
    assert info is not None and (info.upvotes, info.synced_at) == (40, AT)
    # A file's count does replace another file's count.
    store.hf.save([rec("2403.00021", upvotes=3)], [HfEntry("2403.00021", 3)], synced_at=None)
    store.hf.save([rec("2403.00021", upvotes=5)], [HfEntry("2403.00021", 5)], synced_at=None)
    other = store.papers.get_paper("2403.00021")
    assert other is not None and other.imported_upvotes == 5
    info = store.hf.get(other.id)
    assert info is not None and (info.upvotes, info.synced_at) == (5, None)
