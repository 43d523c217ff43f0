"""Readers' libraries in the store: saving, notes, collections (case-insensitive names),
limits, filters and sorting, and that one reader's library is not another's. Each test
runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from paperboy.errors import CollectionLimit, Conflict, InvalidInput, LibraryFull, NotFound
from paperboy.store import Store
from paperboy.store.library import clean_tag
from tests.store.test_papers import rec

T0 = datetime(2026, 7, 1, 12, 0, 0)


def ids(store: Store, *arxiv_ids: str) -> list[int]:
    found = store.papers.get_papers(arxiv_ids)
    return [found[a].id for a in arxiv_ids]


@pytest.fixture
def three(store: Store) -> list[int]:
    store.papers.upsert_papers(
        [
            rec("2501.00001", title="Attention is all you need", announced=date(2025, 1, 6)),
            rec(
                "2501.00002",
                title="Graph networks",
                authors=["Jürgen Müller"],
                announced=date(2025, 1, 8),
            ),
            rec("2501.00003", title="Zebra finches", announced=date(2025, 1, 7)),
        ]
    )
    return ids(store, "2501.00001", "2501.00002", "2501.00003")


def test_save_is_idempotent_and_unsave_removes_tags(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, _ = three
    assert store.library.save(ada.id, a, tags=["Reading"], now=T0) is True
    assert (
        store.library.save(ada.id, a, tags=["reading", "Thesis"], now=T0 + timedelta(hours=1))
        is False
    )
    assert store.library.saved_paper_ids(ada.id) == {a: T0}  # the first save's time stays
    assert store.library.tags_of(ada.id, a) == ["Reading", "Thesis"]  # "reading" is "Reading"
    assert store.library.saved_among(ada.id, [a, b, 999]) == {a}
    assert store.library.unsave(ada.id, a) is True
    assert store.library.unsave(ada.id, a) is False
    assert store.library.saved_paper_ids(ada.id) == {}
    assert store.library.tag_counts(ada.id) == []


def test_notes_and_tag_edits(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, _ = three
    store.library.save(ada.id, a, note="  first  ", now=T0)
    store.library.save(ada.id, b, tags=["ML"], now=T0)
    assert (entry := store.library.library_entry(ada.id, a)) is not None and entry.note == "first"
    store.library.set_note(ada.id, a, "line one\r\nline two", now=T0 + timedelta(minutes=5))
    entry = store.library.library_entry(ada.id, a)
    assert entry is not None and entry.note == "line one\nline two"
    assert entry.updated_at == T0 + timedelta(minutes=5) and entry.saved_at == T0
    store.library.set_note(ada.id, a, "   ")
    assert (entry := store.library.library_entry(ada.id, a)) is not None and entry.note is None
    assert store.library.add_tag(ada.id, a, "  ml ") == "ML"  # the existing spelling wins
    assert store.library.set_tags(ada.id, a, ["Thesis", "THESIS", "ml"]) == ["ML", "Thesis"]
    assert store.library.remove_tag(ada.id, a, "thesis") is True
    assert store.library.remove_tag(ada.id, a, "thesis") is False
    assert store.library.set_tags(ada.id, a, []) == []
    assert [(t.tag, t.count) for t in store.library.tag_counts(ada.id)] == [("ML", 1)]
    with pytest.raises(NotFound):
        store.library.set_note(ada.id, three[2], "not saved")
    with pytest.raises(NotFound):
        store.library.add_tag(ada.id, three[2], "x")
    with pytest.raises(NotFound):
        store.library.save(ada.id, 999_999)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "\x00\x01"])
def test_bad_tag_names_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        clean_tag(bad)


def test_tag_names_are_cleaned() -> None:
    assert clean_tag("  deep\t\n learning ") == "deep learning"
    assert clean_tag("a\u200bb") == "ab"
    assert clean_tag("x" * 64) == "x" * 64


def test_limits(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, c = three
    store.library.save(ada.id, a, max_items=2)
    store.library.save(ada.id, b, max_items=2)
    with pytest.raises(LibraryFull, match="full"):  # typed: callers need not read the text
        store.library.save(ada.id, c, max_items=2)
    store.library.save(ada.id, a, tags=["one", "two"], max_tags=2)
    store.library.save(ada.id, b, tags=["ONE"], max_tags=2)  # an existing collection is fine
    with pytest.raises(CollectionLimit, match="collections"):
        store.library.save(ada.id, b, tags=["three"], max_tags=2)
    with pytest.raises(CollectionLimit):
        store.library.set_tags(ada.id, b, ["three"], max_tags=2)
    assert store.library.tags_of(ada.id, b) == ["one"]  # the refused change left nothing behind


def test_entries_filter_sort_and_page(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, c = three
    store.library.save(ada.id, a, tags=["NLP"], now=T0)
    store.library.save(
        ada.id, b, tags=["graphs", "NLP"], note="ask Müller about it", now=T0 + timedelta(1)
    )
    store.library.save(ada.id, c, note="birdsong", now=T0 + timedelta(2))
    page = store.library.library_entries(ada.id)
    assert page.total == 3 and [e.paper.id for e in page.entries] == [c, b, a]
    assert page.entries[1].tags == ["graphs", "NLP"] and page.entries[1].note
    by_day = store.library.library_entries(ada.id, sort="announced")
    assert [e.paper.id for e in by_day.entries] == [b, c, a]
    by_title = store.library.library_entries(ada.id, sort="title")
    assert [e.paper.arxiv_id for e in by_title.entries] == [
        "2501.00001",
        "2501.00002",
        "2501.00003",
    ]
    assert [e.paper.id for e in store.library.library_entries(ada.id, tag="nlp").entries] == [b, a]
    assert store.library.library_entries(ada.id, tag="nope").total == 0
    # text: every word, in title, authors or note, case-insensitively (non-ASCII too)
    assert [e.paper.id for e in store.library.library_entries(ada.id, text="MÜLLER").entries] == [b]
    assert [e.paper.id for e in store.library.library_entries(ada.id, text="bird").entries] == [c]
    assert store.library.library_entries(ada.id, text="attention need").total == 1
    assert store.library.library_entries(ada.id, text="attention graph").total == 0
    assert store.library.library_entries(ada.id, tag="NLP", text="lovelace").total == 1
    second = store.library.library_entries(ada.id, limit=2, offset=2)
    assert second.total == 3 and [e.paper.id for e in second.entries] == [a]
    with pytest.raises(InvalidInput):
        store.library.library_entries(ada.id, sort="votes")  # type: ignore[arg-type]


def test_libraries_are_private(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    bob = store.accounts.create_user("bob@example.org")
    a, b, _ = three
    store.library.save(ada.id, a, tags=["Secret"], note="mine")
    store.library.save(bob.id, b, tags=["secret"])  # bob's own spelling, not ada's
    assert store.library.library_entries(bob.id).total == 1
    assert store.library.tags_of(bob.id, b) == ["secret"]
    assert store.library.library_entry(bob.id, a) is None
    with pytest.raises(NotFound):
        store.library.set_note(bob.id, a, "hijack")
    assert store.library.unsave(bob.id, a) is False
    entry = store.library.library_entry(ada.id, a)
    assert entry is not None and entry.note == "mine" and entry.tags == ["Secret"]


def test_concurrent_saves_of_the_same_paper(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    errors: list[BaseException] = []

    def save() -> None:
        try:
            store.library.save(ada.id, three[0], tags=["Race"])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.library.count_saved(ada.id) == 1 and store.library.tags_of(ada.id, three[0]) == [
        "Race"
    ]


def test_save_can_replace_tags_all_or_nothing(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, _ = three
    store.library.save(ada.id, a, tags=["One", "Two"])
    store.library.save(ada.id, b, tags=["Keep"])
    assert store.library.save(ada.id, a, tags=["two", "Three"], replace_tags=True) is False
    assert store.library.tags_of(ada.id, a) == ["Three", "Two"]
    with pytest.raises(Conflict):
        store.library.save(
            ada.id, a, tags=["Four", "Five"], note="x", replace_tags=True, max_tags=2
        )
    entry = store.library.library_entry(ada.id, a)
    assert entry is not None and entry.tags == ["Three", "Two"] and entry.note is None
    with pytest.raises(Conflict):  # a new paper past the tag limit is not saved either
        store.library.save(ada.id, three[2], tags=["Six", "Seven"], max_tags=3)
    assert store.library.library_entry(ada.id, three[2]) is None


def test_rename_merge_and_delete_collections(store: Store, three: list[int]) -> None:
    ada = store.accounts.create_user("ada@example.org")
    a, b, c = three
    store.library.save(ada.id, a, tags=["ml"])
    store.library.save(ada.id, b, tags=["ml", "Deep"])
    store.library.save(ada.id, c, tags=["Deep"])
    assert store.library.rename_tag(ada.id, "ML", "Machine learning") == 2
    assert store.library.tags_of(ada.id, a) == ["Machine learning"]
    assert store.library.rename_tag(ada.id, "machine LEARNING", "MACHINE learning") == 2  # respell
    assert [t.tag for t in store.library.tag_counts(ada.id)] == ["Deep", "MACHINE learning"]
    assert store.library.rename_tag(ada.id, "deep", "machine learning") == 2  # merge
    assert [(t.tag, t.count) for t in store.library.tag_counts(ada.id)] == [("MACHINE learning", 3)]
    with pytest.raises(NotFound):
        store.library.rename_tag(ada.id, "nope", "x")
    assert store.library.delete_tag(ada.id, "Machine Learning") == 3
    assert store.library.delete_tag(ada.id, "Machine Learning") == 0
    assert store.library.tag_counts(ada.id) == [] and store.library.count_saved(ada.id) == 3


def _at_once(calls: list[Callable[[], object]]) -> list[Exception]:
    start = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call: Callable[[], object]) -> None:
        start.wait()
        try:
            call()
        except Exception as exc:  # Conflict past the limit is expected
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_limits_and_collection_names_hold_when_saves_race(store: Store) -> None:
    store.papers.upsert_papers([rec(f"2606.{n:05d}") for n in range(1, 9)])
    paper_ids = ids(store, *(f"2606.{n:05d}" for n in range(1, 9)))
    ada = store.accounts.create_user("ada@example.org")
    for trial in range(3):
        names = [f"ML{trial}", f"ml{trial}"]
        _at_once(
            [
                lambda p=p, t=t: store.library.save(ada.id, p, tags=[t])
                for p, t in zip(paper_ids[:2], names, strict=True)
            ]
        )
        same = [t.tag for t in store.library.tag_counts(ada.id) if t.tag.casefold() == f"ml{trial}"]
        assert len(same) == 1, same
        for pid in paper_ids:
            store.library.unsave(ada.id, pid)
        errors = _at_once(
            [lambda p=p: store.library.save(ada.id, p, max_items=1) for p in paper_ids]
        )
        assert store.library.count_saved(ada.id) == 1
        assert len(errors) == len(paper_ids) - 1
        for pid in paper_ids:
            store.library.unsave(ada.id, pid)
