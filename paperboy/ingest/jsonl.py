"""Bulk ingest of JSON Lines files (plain or gzip), in any shape formats.py reads."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from paperboy.arxiv import PaperRecord
from paperboy.errors import InvalidInput, PaperboyError
from paperboy.ingest.formats import record_from_json
from paperboy.ingest.report import IngestReport
from paperboy.progress import progress
from paperboy.store import Store

BATCH_SIZE = 2000
FORMATS = ("auto", "paperboy", "kaggle", "hf")


def _open(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """Return (line reader, raw file); progress is measured on the raw file's offset."""
    raw = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw)), raw
    raw.seek(0)
    return raw, raw


def ingest_jsonl(
    store: Store, path: Path, *, fmt: str = "auto", batch_size: int = BATCH_SIZE
) -> IngestReport:
    """Load every record of ``path`` into the store, a batch per transaction.

    A crash loses at most the batch in flight; rerunning finds the committed ones
    unchanged. Lines that cannot be read are skipped and listed in the report.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise PaperboyError(f"{path} is not a file")
    report = IngestReport(source=f"jsonl {path.name}")
    reader, raw = _open(path)
    total = path.stat().st_size
    with raw, reader, progress("ingest", total, unit="B") as bar:
        batch: list[PaperRecord] = []
        position = 0
        for record in _records(reader, fmt, report):
            batch.append(record)
            if len(batch) < batch_size:
                continue
            report.record(store.papers.upsert_papers(batch))
            batch.clear()
            offset = raw.tell()
            bar.update(offset - position)
            position = offset
            bar.set_postfix_str(f"added={report.added} updated={report.updated}")
        if batch:
            report.record(store.papers.upsert_papers(batch))
        bar.set_postfix_str(f"added={report.added} updated={report.updated}")
        bar.update(total - position)
    return report


def _records(reader: IO[bytes], fmt: str, report: IngestReport) -> Iterator[PaperRecord]:
    """The readable records of the file; unreadable lines go to the report."""
    line_no = 0
    try:
        for line_no, line in enumerate(reader, start=1):
            if not line.strip():
                continue
            try:
                yield record_from_json(json.loads(line), fmt)
            except json.JSONDecodeError as exc:
                report.skip(f"line {line_no}", f"invalid JSON: {exc.msg}")
            except UnicodeDecodeError:
                report.skip(f"line {line_no}", "not UTF-8 text")
            except InvalidInput as exc:
                report.skip(f"line {line_no}", exc.detail)
            except (ValueError, TypeError) as exc:  # a field of an unexpected type
                report.skip(f"line {line_no}", f"unreadable record ({exc})")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        report.skip(f"after line {line_no}", f"file is truncated or corrupt ({exc})")
