"""The demo set carries real signal and nothing invented: every upvote count it ships
is the count of the same paper in the shared Hugging Face file, and no other paper has
one."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperboy.arxiv import parse_arxiv_id
from paperboy.config import Settings
from paperboy.ingest.demo import DEMO_FILE, load_demo
from paperboy.store import Store
from paperboy.store.models import hf_papers, papers
from paperboy.web import create_app
from tests.ingest.source_server import SHARED_DATA

HF_SOURCE = SHARED_DATA / "hf-daily-papers-2024.jsonl"


def source_counts() -> dict[str, int]:
    if not HF_SOURCE.is_file():
        pytest.skip("../shared/data/hf-daily-papers-2024.jsonl is not here")
    counts: dict[str, int] = {}
    with HF_SOURCE.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            counts[str(row["arxiv_id"])] = int(row["upvotes"])
    return counts


def test_every_count_in_the_demo_file_is_the_source_files() -> None:
    expected = source_counts()
    shipped: dict[str, int] = {}
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if "upvotes" in row:
                shipped[str(row["arxiv_id"])] = row["upvotes"]
    assert shipped == expected and len(shipped) == 753
    assert DEMO_FILE.stat().st_size <= 5 * 1024 * 1024


def test_loaded_demo_has_real_hf_counts_and_no_others(
    sqlite_store: Store, settings: Settings
) -> None:
    expected = {parse_arxiv_id(k)[0]: v for k, v in source_counts().items()}
    load_demo(sqlite_store)
    with sqlite_store.engine.connect() as conn:
        counted = dict(
            conn.execute(
                select(papers.c.arxiv_id, papers.c.imported_upvotes).where(
                    papers.c.imported_upvotes != 0
                )
            ).all()
        )
        hf_rows = conn.execute(
            select(
                papers.c.arxiv_id,
                hf_papers.c.upvotes,
                hf_papers.c.synced_at,
                hf_papers.c.featured_on,
            ).join(papers, papers.c.id == hf_papers.c.paper_id)
        ).all()
    assert counted == expected
    assert {a: n for a, n, _, _ in hf_rows} == expected
    # The file says neither when the counts were taken nor the featured day.
    assert all(synced is None and featured is None for _, _, synced, featured in hf_rows)
    assert sqlite_store.votes.vote_totals([]) == {}
    assert sqlite_store.hf.newest_signal_day() == date(2024, 4, 5)
    assert sqlite_store.papers.count_papers() == 3292 + 753

    # What a fresh `paperboy serve` shows: real upvotes, with their source.
    with TestClient(create_app(settings, sqlite_store)) as client:
        bitnet = client.get("/api/papers/2402.17764").json()
        assert bitnet["upvotes"] == expected["2402.17764"] == 553
        assert bitnet["upvotes_by_source"] == {"hf": 553, "here": 0}
        assert bitnet["hf"]["featured_on"] is None and bitnet["hf"]["synced_at"] is None
        page = client.get("/paper/2402.17764").text
        assert "▲ 553: HF 553 · here 0" in page and "On Hugging Face daily papers" in page
