"""TL;DRs as derived data: written in the upsert's transaction, rewritten only when the
text changes, rebuilt by the backfill (and its command), HF's summary preferred."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from paperboy.cli import cli
from paperboy.feed.tldr import backfill_tldrs
from paperboy.store import Store
from paperboy.store.hf import HfEntry
from paperboy.store.models import paper_tldrs
from paperboy.tldr import METHOD
from tests.store.test_papers import rec

ABSTRACT = (
    "Sparse attention is costly to tune, e.g. on long inputs. In this work, we propose "
    "SparseTune, a tuner for sparse attention. Experiments show gains of 3.5 points."
)
CONTRIBUTION = "We propose SparseTune, a tuner for sparse attention."  # lead-in trimmed


def stored_rows(store: Store) -> dict[int, tuple[str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(paper_tldrs.c.paper_id, paper_tldrs.c.sentence, paper_tldrs.c.method)
        )
        return {int(pid): (sentence, method) for pid, sentence, method in rows}


def paper_id(store: Store, arxiv_id: str) -> int:
    paper = store.papers.get_paper(arxiv_id)
    assert paper is not None
    return paper.id


def test_ingest_writes_the_tldr_in_the_same_transaction(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2501.00001", title="SparseTune: tuning sparse attention", abstract=ABSTRACT),
            rec("2501.00002", abstract=None),
        ]
    )
    first = paper_id(store, "2501.00001")
    assert stored_rows(store) == {first: (CONTRIBUTION, METHOD)}  # no abstract: no row
    lines = store.tldr.for_papers([first, paper_id(store, "2501.00002")])
    assert list(lines) == [first]
    assert lines[first].text == CONTRIBUTION and not lines[first].by_hf

    # A new version with a new abstract: a new sentence, in place.
    changed = ABSTRACT.replace("SparseTune, a tuner", "SparseTune-2, an automatic tuner")
    result = store.papers.upsert_papers(
        [
            rec(
                "2501.00001",
                title="SparseTune: tuning sparse attention",
                abstract=changed,
                version=2,
            )
        ]
    )
    assert result.updated == ["2501.00001"]
    assert stored_rows(store)[first][0] == (
        "We propose SparseTune-2, an automatic tuner for sparse attention."
    )


def test_a_change_that_keeps_the_text_keeps_the_row(store: Store) -> None:
    store.papers.upsert_papers([rec("2501.00001", title="SparseTune", abstract=ABSTRACT)])
    pid = paper_id(store, "2501.00001")
    with store.engine.begin() as conn:  # mark the row, to see whether it is rewritten
        conn.execute(paper_tldrs.update().values(method="marked"))
    result = store.papers.upsert_papers(
        [rec("2501.00001", title="SparseTune", abstract=ABSTRACT, comment="12 pages")]
    )
    assert result.updated == ["2501.00001"]
    assert stored_rows(store)[pid] == (CONTRIBUTION, "marked")


def test_hf_summary_wins_when_present(store: Store) -> None:
    papers = [
        rec("2403.00001", title="SparseTune", abstract=ABSTRACT),
        rec("2403.00002", abstract=ABSTRACT),
    ]
    store.hf.save(
        papers,
        [
            HfEntry("2403.00001", 5, ai_summary="  SparseTune tunes\nsparse attention.  "),
            HfEntry("2403.00002", 3, ai_summary="   "),  # blank: ours is shown
        ],
        synced_at=None,
    )
    ids = [paper_id(store, "2403.00001"), paper_id(store, "2403.00002")]
    lines = store.tldr.for_papers(ids)
    assert lines[ids[0]].text == "SparseTune tunes sparse attention." and lines[ids[0]].by_hf
    assert lines[ids[1]].text == CONTRIBUTION and not lines[ids[1]].by_hf


def test_backfill_rebuilds_every_row(store: Store) -> None:
    store.papers.upsert_papers(
        [rec(f"2501.{n:05d}", abstract=ABSTRACT, announced=date(2025, 1, 6)) for n in range(1, 8)]
        + [rec("2501.00099", abstract=None)]
    )
    before = stored_rows(store)
    assert len(before) == 7
    with store.engine.begin() as conn:  # as after migration 0014 on an existing database
        conn.execute(delete(paper_tldrs))
    report = backfill_tldrs(store, batch_size=3)
    assert (report.papers, report.written) == (8, 7)
    assert "8 papers read, 7 sentences stored (1 without an abstract)" in report.summary()
    assert stored_rows(store) == before
    assert backfill_tldrs(store).written == 7  # again: the same rows
    assert stored_rows(store) == before
    assert store.tldr.count() == 7


def test_backfill_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'paperboy.db'}")
    try:
        store.papers.upsert_papers([rec("2501.00001", abstract=ABSTRACT)])
        with store.engine.begin() as conn:
            conn.execute(delete(paper_tldrs))
        result = runner.invoke(cli, ["tldr", "backfill"])
        assert result.exit_code == 0, result.output
        assert "1 papers read, 1 sentences stored" in result.output
        assert [s for s, _ in stored_rows(store).values()] == [CONTRIBUTION]
    finally:
        store.close()
