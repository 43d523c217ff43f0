"""Bulk JSON Lines ingest: the shared format, Kaggle snapshot, HF records, bad input,
and a SIGKILL in the middle of a run."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.store import Store
from tests.support import FIXTURES, SMALL_PAPERS, shared_file

KAGGLE_RECORD = {
    "id": "0704.0001",
    "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and"
    "\n  LHC energies",
    "comments": "37 pages, 15 figures; published version",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "report-no": "ANL-HEP-PR-07-12",
    "categories": "hep-ph",
    "license": None,
    "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
    "presented for the production of massive photon pairs at hadron colliders.\n",
    "versions": [
        {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
    ],
    "update_date": "2008-11-13",
    "authors_parsed": [
        ["Balázs", "C.", ""],
        ["Berger", "E. L.", ""],
        ["Nadolsky", "P. M.", ""],
        ["Yuan", "C. -P.", ""],
    ],
}


def write_lines(path: Path, lines: list[str], compress: bool = False) -> Path:
    data = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_fixture_file_loads_and_reloads_unchanged(sqlite_store: Store) -> None:
    first = ingest_jsonl(sqlite_store, SMALL_PAPERS)
    assert (first.added, first.updated, first.unchanged, first.skipped) == (37, 0, 0, [])
    second = ingest_jsonl(sqlite_store, SMALL_PAPERS)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 37)
    assert sqlite_store.papers.count_papers() == 37
    paper = sqlite_store.papers.get_paper("2606.99901")
    assert paper is not None
    assert paper.title.startswith("<script>")  # stored as text; templates escape it
    assert paper.abstract == (
        "We show <img src=x onerror=alert(1)> that hard-wrapped lines are joined."
        "\n\nA new paragraph starts here."
    )


def test_gzip_and_plain_files_are_the_same(sqlite_store: Store, tmp_path: Path) -> None:
    lines = SMALL_PAPERS.read_text().splitlines()
    report = ingest_jsonl(sqlite_store, write_lines(tmp_path / "p.jsonl.gz", lines, True))
    assert report.added == 37
    assert ingest_jsonl(sqlite_store, SMALL_PAPERS).unchanged == 37


def test_bad_lines_are_skipped_with_reasons_and_the_rest_kept(
    sqlite_store: Store, tmp_path: Path
) -> None:
    good = SMALL_PAPERS.read_text().splitlines()[:3]
    lines = [
        good[0],
        "{not json",
        json.dumps({"id": "2501.00001", "title": "   "}),
        json.dumps({"id": "not-an-id", "title": "x"}),
        json.dumps(["a", "list"]),
        json.dumps({"title": "no id"}),
        json.dumps({"id": "2501.00002", "title": "t", "authors": "not a list"}),
        json.dumps({"id": "2501.00003", "title": "t", "version": "v2x"}),
        json.dumps({"id": "2501.00004", "title": "t", "version": {"n": 2}}),
        json.dumps({"id": "2501.00005", "title": "t", "listing_date": "9999-12-31"}),
        json.dumps({"id": "2501.00006", "title": "t", "listing_date": "2025-02-30"}),
        good[1],
        "",
        good[2],
    ]
    report = ingest_jsonl(sqlite_store, write_lines(tmp_path / "bad.jsonl", lines))
    assert report.added == 3
    reasons = dict(report.skipped)
    assert set(reasons) == {f"line {n}" for n in range(2, 12)}
    assert "invalid JSON" in reasons["line 2"]
    assert "missing title" in reasons["line 3"]
    assert "not an arXiv identifier" in reasons["line 4"]
    assert "not a JSON object" in reasons["line 5"]
    assert "missing 'id'" in reasons["line 6"]
    assert "must be a list" in reasons["line 7"]
    assert "is not a number" in reasons["line 8"] and "is not a number" in reasons["line 9"]
    assert "impossible" in reasons["line 10"]
    assert "unreadable date" in reasons["line 11"]
    assert "10 skipped" in report.summary()


def test_lone_surrogates_are_dropped_not_fatal(store: Store, tmp_path: Path) -> None:
    line = '{"id": "2501.00007", "title": "Broken \\ud800 title", "abstract": "x\\udfff y"}'
    report = ingest_jsonl(store, write_lines(tmp_path / "s.jsonl", [line]))
    assert report.added == 1
    paper = store.papers.get_paper("2501.00007")
    assert paper is not None and paper.title == "Broken title" and paper.abstract == "x y"


def test_truncated_gzip_keeps_what_was_read(sqlite_store: Store, tmp_path: Path) -> None:
    lines = SMALL_PAPERS.read_text().splitlines()
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    report = ingest_jsonl(sqlite_store, path, batch_size=5)
    assert 0 < report.added < 37
    assert "truncated or corrupt" in report.skipped[-1][1]


def test_kaggle_snapshot_records(sqlite_store: Store, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "kaggle.json", [json.dumps(KAGGLE_RECORD)])
    assert ingest_jsonl(sqlite_store, path).added == 1
    paper = sqlite_store.papers.get_paper("0704.0001")
    assert paper is not None
    assert paper.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert paper.title.endswith("at Tevatron and LHC energies")
    assert paper.version == 2 and paper.categories == ["hep-ph"]
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert str(paper.submitted) == "2007-04-02 19:18:42"
    assert str(paper.announced) == "2007-04-03"


def test_kaggle_authors_without_parsed_list(sqlite_store: Store, tmp_path: Path) -> None:
    record = dict(KAGGLE_RECORD, id="0704.0002")
    del record["authors_parsed"]
    record["authors"] = "A. One, B. Two and C. Three"
    ingest_jsonl(sqlite_store, write_lines(tmp_path / "k.json", [json.dumps(record)]))
    paper = sqlite_store.papers.get_paper("0704.0002")
    assert paper is not None and paper.authors == ["A. One", "B. Two", "C. Three"]


def test_hugging_face_records_keep_upvotes(sqlite_store: Store) -> None:
    report = ingest_jsonl(sqlite_store, FIXTURES / "hf-daily-sample.jsonl")
    assert report.added == 3
    first = json.loads((FIXTURES / "hf-daily-sample.jsonl").read_text().splitlines()[0])
    paper = sqlite_store.papers.get_paper(first["arxiv_id"])
    assert paper is not None
    assert paper.imported_upvotes == first["upvotes"]
    assert paper.links["huggingface"].endswith(first["arxiv_id"])


def test_whole_shared_hf_sample(sqlite_store: Store) -> None:
    report = ingest_jsonl(sqlite_store, shared_file("hf-daily-papers-2024.jsonl"))
    assert report.added + len(report.skipped) == 753 and report.added >= 750


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_is_exact(tmp_path: Path) -> None:
    """Kill -9 the CLI while it ingests, rerun it: every paper exactly once, db intact."""
    source = shared_file("arxiv-2025-2026.jsonl.gz")
    subset = tmp_path / "subset.jsonl.gz"
    with gzip.open(source, "rt") as src, gzip.open(subset, "wt") as out:
        for n, line in enumerate(src):
            if n == 12_000:
                break
            out.write(line)
    env = {**os.environ, "PAPERBOY_DATA_DIR": str(tmp_path / "data")}
    env.pop("PAPERBOY_DATABASE_URL", None)
    db = tmp_path / "data" / "paperboy.db"
    command = [
        sys.executable,
        "-m",
        "paperboy",
        "ingest",
        "jsonl",
        str(subset),
        "--batch-size",
        "500",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count(db) < 2000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = _count(db)
    assert 0 < killed_at < 12_000
    rerun = subprocess.run([*command, "--json"], env=env, capture_output=True, check=True)
    report = json.loads(rerun.stdout)
    assert report["added"] + report["unchanged"] == 12_000
    assert report["unchanged"] >= killed_at
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 12_000
        assert conn.execute("SELECT count(DISTINCT arxiv_id) FROM papers").fetchone()[0] == 12_000
        orphans = conn.execute(
            "SELECT count(*) FROM papers p WHERE NOT EXISTS "
            "(SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id)"
        ).fetchone()[0]
        assert orphans == 0


def test_non_arxiv_classes_are_not_categories(store: Store, tmp_path: Path) -> None:
    """Listings mix ACM and MSC classes into categories; runs on PostgreSQL too, where a
    too-long value would otherwise abort the batch."""
    line = json.dumps(
        {
            "id": "2501.00009",
            "title": "Classes",
            "categories": ["cs.CL", "I.2.7; I.2.6", "68T50", "cs.AI", "x" * 100, "cs.CL"],
        }
    )
    report = ingest_jsonl(store, write_lines(tmp_path / "c.jsonl", [line]))
    assert report.added == 1
    paper = store.papers.get_paper("2501.00009")
    assert paper is not None and paper.categories == ["cs.CL", "cs.AI"]
