"""TL;DRs and code links found in a second process during a bulk ingest (issue 14,
item 7) are the ones the store would have found itself: the same file ingested with and
without the worker (many small batches, so several are in flight) leaves identical
papers, TL;DR and code-link rows; a record whose stored text differs from the file's
gets the store's own choice, not the precomputed one."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperboy.arxiv import PaperRecord
from paperboy.codelinks import CodeLink, link_inputs, links_for
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ingest.tldr_ahead import TldrAhead, choose_all
from paperboy.store import Store
from paperboy.tldr import choose_tldr
from tests.support import ROOT, SMALL_PAPERS


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(query).fetchall()


def test_ingest_with_the_worker_stores_the_same_tldrs_and_links(tmp_path: Path) -> None:
    results = {}
    for ahead in (True, False):
        path = tmp_path / f"ahead-{ahead}.db"
        store = Store.open(f"sqlite:///{path}")
        report = ingest_jsonl(store, SMALL_PAPERS, batch_size=4, tldr_ahead=ahead)
        store.close()
        results[ahead] = (
            report.added,
            rows(path, "SELECT arxiv_id, title FROM papers ORDER BY arxiv_id"),
            rows(
                path,
                "SELECT p.arxiv_id, t.sentence, t.method FROM paper_tldrs t"
                " JOIN papers p ON p.id = t.paper_id ORDER BY p.arxiv_id",
            ),
            rows(
                path,
                "SELECT p.arxiv_id, l.position, l.kind, l.url, l.name, l.official, l.source"
                " FROM code_links l JOIN papers p ON p.id = l.paper_id ORDER BY 1, 2",
            ),
        )
    added, papers, tldrs, links = results[True]
    assert added == len(papers) > 20 and len(tldrs) > 20 and len(links) >= 5
    assert results[True] == results[False]


def test_the_worker_chooses_what_choose_tldr_chooses() -> None:
    record = PaperRecord(
        arxiv_id="2601.00001",
        title="Sparse probes",
        abstract="Probes are costly. We propose sparse probes for language models. "
        "Experiments show gains.",
    )
    with TldrAhead() as ahead:
        chosen = ahead.submit([record]).result(timeout=60)
    key = (record.title, record.abstract)
    assert (
        chosen == {key: choose_tldr(*key)} == {key: "We propose sparse probes for language models."}
    )
    assert choose_all([("", None)]) == [None]


def test_the_worker_finds_the_links_links_for_finds() -> None:
    record = PaperRecord(
        arxiv_id="2601.00004",
        title="Fast probes",
        abstract="We propose fast probes. Code: https://github.com/acme/probes.",
        comment="Project page: https://acme.github.io/probes",
        links={"github_repo": "https://github.com/acme/probes-hf"},
    )
    with TldrAhead() as ahead:
        found = ahead.derive([record]).result(timeout=60)
    inputs = link_inputs(record.abstract, record.comment, record.links)
    assert found.links == {inputs: links_for(inputs)}
    assert [link.url for link in found.links[inputs]] == [
        "https://github.com/acme/probes-hf",
        "https://github.com/acme/probes",
        "https://acme.github.io/probes",
    ]
    assert found.tldrs == {(record.title, record.abstract): "We propose fast probes."}


def test_precomputed_links_are_used_only_for_their_own_inputs(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'l.db'}")
    record = PaperRecord(
        arxiv_id="2601.00005",
        title="Graph sketches",
        abstract="We introduce graph sketches (https://github.com/acme/sketch).",
    )
    elsewhere = link_inputs("Another abstract.", None, None)
    stranger = CodeLink("github", "https://github.com/no/body", "no/body", source="abstract")
    store.papers.upsert_papers([record], links={elsewhere: [stranger]})
    given = link_inputs(record.abstract, None, None)
    other = PaperRecord(arxiv_id="2601.00006", title="Other", abstract=record.abstract)
    store.papers.upsert_papers([other], links={given: [stranger]})
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT p.arxiv_id, l.url FROM code_links l JOIN papers p ON p.id = l.paper_id"
            " ORDER BY 1"
        ).all()
    store.close()
    assert [tuple(row) for row in stored] == [
        ("2601.00005", "https://github.com/acme/sketch"),
        ("2601.00006", "https://github.com/no/body"),
    ]


def test_a_precomputed_tldr_is_used_only_for_its_own_text(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    record = PaperRecord(
        arxiv_id="2601.00002",
        title="Graph sketches",
        abstract="Graphs are big. We introduce graph sketches. Results are good.",
    )
    wrong = {("Another title", record.abstract): "Not this one."}
    store.papers.upsert_papers([record], tldrs=wrong)
    given = {(record.title, record.abstract): "Given sentence."}
    other = PaperRecord(arxiv_id="2601.00003", title=record.title, abstract=record.abstract)
    store.papers.upsert_papers([other], tldrs=given)
    lines = store.tldr.for_papers(
        [p.id for p in store.papers.get_papers(["2601.00002", "2601.00003"]).values()]
    )
    store.close()
    assert sorted(t.text for t in lines.values()) == [
        "Given sentence.",
        "We introduce graph sketches.",
    ]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (an exited process waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_worker_exits_when_the_ingest_is_killed() -> None:
    # An ingest killed with SIGKILL cannot shut its pool down: the worker notices that
    # its parent is gone and exits instead of lingering.
    code = (
        "from paperboy.ingest.tldr_ahead import TldrAhead\n"
        "ahead = TldrAhead()\n"
        "print(ahead.worker_pid(), flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    with child.stdout:
        worker = int(child.stdout.readline())
    assert alive(worker)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)
