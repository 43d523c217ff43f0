"""Hugging Face daily papers: one day from the API, or a file of saved records."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.errors import InvalidInput, PaperboyError, SourceError
from paperboy.ingest.formats import record_from_json
from paperboy.ingest.http import PoliteClient
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.ingest.report import IngestReport
from paperboy.store import Store

BATCH_SIZE = 2000


def _records(items: list[Any], report: IngestReport) -> list[PaperRecord]:
    records: list[PaperRecord] = []
    for index, item in enumerate(items, start=1):
        try:
            records.append(record_from_json(item, "hf"))
        except InvalidInput as exc:
            paper = item.get("paper") if isinstance(item, dict) else None
            paper_id = paper.get("id") if isinstance(paper, dict) else None
            where = f"item {index}" + (f" ({paper_id})" if isinstance(paper_id, str) else "")
            report.skip(where, exc.detail)
    return records


def _store(store: Store, records: list[PaperRecord], report: IngestReport) -> None:
    for start in range(0, len(records), BATCH_SIZE):
        report.record(store.papers.upsert_papers(records[start : start + BATCH_SIZE]))


def ingest_hf_daily(store: Store, settings: Settings, day: date) -> IngestReport:
    """Fetch the Hugging Face daily papers of ``day`` and store them (with upvotes).

    Raises SourceError when the API fails or answers something that is not a list.
    """
    with PoliteClient(settings, source="Hugging Face") as client:
        response = client.get(settings.hf_daily_papers_url, {"date": day.isoformat()})
    try:
        items = response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise SourceError("Hugging Face: the daily papers answer is not JSON") from None
    if not isinstance(items, list):
        raise SourceError("Hugging Face: expected a JSON list of daily papers")
    report = IngestReport(source=f"Hugging Face daily papers {day.isoformat()}")
    _store(store, _records(items, report), report)
    return report


def ingest_hf_file(store: Store, path: Path) -> IngestReport:
    """Load a file of Hugging Face records: a JSON list, or JSON Lines (plain or .gz).

    Both the ``/api/daily_papers`` shape and the flat JSONL sample are read. The kind
    of file is recognised from its content, not its name.
    """
    if not path.is_file():
        raise PaperboyError(f"{path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"["):
        return ingest_jsonl(store, path, fmt="hf")
    try:
        items = json.loads(path.read_bytes().decode("utf-8-sig"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidInput(f"{path.name} is not a JSON list: {exc}") from None
    if not isinstance(items, list):
        raise InvalidInput(f"{path.name} is not a JSON list")
    report = IngestReport(source=f"hf {path.name}")
    _store(store, _records(items, report), report)
    return report
