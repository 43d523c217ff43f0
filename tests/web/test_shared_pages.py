"""Rendered anonymous pages shared between the web processes of one box: a page one
process rendered is served by another under the same data marker, never after a change,
never a search (each process has its own index), never a torn file."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.shared_pages import SharedPages
from tests.web.test_page_cache import cache_of, vote_elsewhere

DAY = "/day/2026-06-30"


@pytest.fixture
def two_processes(settings: Settings, loaded_store: Store) -> Iterator[tuple[TestClient, ...]]:
    """Two apps on one data folder and database, as `serve --workers 2` makes them."""
    shared = settings.model_copy(update={"page_cache_shared": True})
    second = Store.open(settings.resolved_database_url)
    try:
        with (
            TestClient(create_app(shared, loaded_store)) as a,
            TestClient(create_app(shared, second)) as b,
        ):
            yield a, b
    finally:
        second.close()


def test_a_page_rendered_by_one_process_is_served_by_the_other(
    two_processes: tuple[TestClient, ...],
) -> None:
    a, b = two_processes
    first = a.get(DAY)
    assert first.status_code == 200 and cache_of(a).misses == 1
    again = b.get(DAY)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-security-policy"]
    assert cache_of(b).misses == 0 and cache_of(b).shared_hits == 1
    assert b.get(DAY).content == first.content and cache_of(b).hits == 2  # now in memory


def test_a_change_is_never_hidden_by_a_shared_page(
    two_processes: tuple[TestClient, ...], settings: Settings
) -> None:
    a, b = two_processes
    paper = "/paper/2606.27670"
    before = a.get(paper).text
    vote_elsewhere(settings.resolved_database_url, "2606.27670")
    assert b.get(paper).text != before
    assert cache_of(b).shared_hits == 0 and cache_of(b).misses == 1


def test_searches_are_not_shared(two_processes: tuple[TestClient, ...]) -> None:
    a, b = two_processes
    a.get("/search?q=time+series")
    b.get("/search?q=time+series")
    assert cache_of(b).shared_hits == 0 and cache_of(b).misses == 1


def test_torn_foreign_and_expired_files_are_not_served(tmp_path: Path) -> None:
    pages = SharedPages(tmp_path / "page-cache", seconds=300, max_bytes=10_000)
    key, marker = b"/day/2026-06-30?", (1, 2, 3)
    pages.save(key, marker, [(b"content-type", b"text/html")], b"<p>day</p>", b'"e"', b"x")
    assert pages.load(key, marker) is not None
    assert pages.load(key, (1, 2, 4)) is None  # another marker
    assert pages.load(b"/day/2026-06-29?", marker) is None  # never written
    path = pages._path(key)
    whole = path.read_bytes()
    path.write_bytes(whole[:-3])  # torn: shorter than it says
    assert pages.load(key, marker) is None
    path.write_bytes(b"not json\n<p>x</p>")
    assert pages.load(key, marker) is None
    path.write_bytes(whole)
    assert pages.load(key, marker) is not None
    old = time.time() - 400
    os.utime(path, (old, old))
    assert pages.sweep() == 1 and not path.exists()
    expired = SharedPages(tmp_path / "page-cache", seconds=0.01, max_bytes=10_000)
    expired.save(key, marker, [], b"x", b'"e"', b"x")
    time.sleep(0.05)
    assert expired.load(key, marker) is None


def test_the_folder_is_bounded(tmp_path: Path) -> None:
    """Endless distinct URLs (a crawler adding ?x=N) cost renders, never the disk."""
    pages = SharedPages(tmp_path / "page-cache", seconds=300, max_bytes=5_000)
    for n in range(20):
        pages.save(f"/day/2026-06-30?x={n}".encode(), (1,), [], b"x" * 1_000, b'"e"', b"c")
    assert pages.saved == 5
    assert sum(p.stat().st_size for p in (tmp_path / "page-cache").iterdir()) < 6_500
    for item in (tmp_path / "page-cache").iterdir():  # they expire: room again
        os.utime(item, (time.time() - 400, time.time() - 400))
    pages.sweep()
    pages.save(b"/day/2026-06-29?", (1,), [], b"x" * 1_000, b'"e"', b"c")
    assert pages.saved == 6
