"""The bundled demo set: recent papers so a first run shows a real site."""

from __future__ import annotations

from pathlib import Path

from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ingest.report import IngestReport
from paperboy.store import Store

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo-papers.jsonl.gz"


def load_demo(store: Store) -> IngestReport:
    return ingest_jsonl(store, DEMO_FILE)


def load_demo_if_empty(store: Store) -> IngestReport | None:
    """Load the demo set into an empty database; leave a database with papers alone."""
    if store.papers.count_papers():
        return None
    return load_demo(store)
