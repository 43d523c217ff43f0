"""The bundled demo set: recent papers so a first run shows a real site, and the 753
real Hugging Face daily papers of 2023-12 .. 2024-04 with their real upvotes (stored as
HF counts) so it shows real signal too."""

from __future__ import annotations

from pathlib import Path

from paperboy.ingest.hf_sync import store_hf_counts_from_file
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ingest.report import IngestReport
from paperboy.store import Store

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo-papers.jsonl.gz"


def load_demo(store: Store) -> IngestReport:
    report = ingest_jsonl(store, DEMO_FILE)
    store_hf_counts_from_file(store, DEMO_FILE)
    return report


def load_demo_if_empty(store: Store) -> IngestReport | None:
    """Load the demo set into an empty database; leave a database with papers alone."""
    if store.papers.count_papers():
        return None
    return load_demo(store)
