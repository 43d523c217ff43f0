"""Bulk ingest of JSON Lines files (plain or gzip), in any shape formats.py reads."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import IO, cast

from paperboy.arxiv import PaperRecord
from paperboy.errors import InvalidInput, PaperboyError
from paperboy.ingest.formats import record_from_json
from paperboy.ingest.report import IngestReport
from paperboy.ingest.tldr_ahead import Derived, TldrAhead, worth_it
from paperboy.progress import progress
from paperboy.store import Store
from paperboy.store.authors import KnownAuthors

BATCH_SIZE = 2000
FORMATS = ("auto", "paperboy", "kaggle", "hf")
FoundAhead = Future[Derived]


def _open(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """Return (line reader, raw file); progress is measured on the raw file's offset."""
    raw = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw)), raw
    raw.seek(0)
    return raw, raw


def ingest_jsonl(
    store: Store,
    path: Path,
    *,
    fmt: str = "auto",
    batch_size: int = BATCH_SIZE,
    tldr_ahead: bool | None = None,
) -> IngestReport:
    """Load every record of ``path`` into the store, a batch per transaction.

    A crash loses at most the batches in flight; rerunning finds the committed ones
    unchanged. Lines that cannot be read are skipped and listed in the report. On a
    machine with several cores a large file's TL;DRs and code links are found in a
    second process (``tldr_ahead``: None decides by cores and file size; see
    ``paperboy.ingest.tldr_ahead``); the result is the same.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise PaperboyError(f"{path} is not a file")
    report = IngestReport(source=f"jsonl {path.name}")
    reader, raw = _open(path)
    total = path.stat().st_size
    ahead = TldrAhead() if (worth_it(total) if tldr_ahead is None else tldr_ahead) else None
    # A batch's TL;DRs and code links are found in the other process while the batch
    # before it is written and the next one read; then it is written.
    waiting: tuple[list[PaperRecord], FoundAhead] | None = None
    known = KnownAuthors()  # author ids committed by earlier batches: fewer lookups

    def write(records: list[PaperRecord], ahead_of: FoundAhead | None) -> None:
        found = ahead_of.result() if ahead_of is not None else None
        tldrs, links = (found.tldrs, found.links) if found is not None else (None, None)
        report.record(store.papers.upsert_papers(records, tldrs=tldrs, links=links, known=known))

    try:
        with raw, reader, progress("ingest", total, unit="B") as bar:
            batch: list[PaperRecord] = []
            position = 0
            for record in _records(reader, fmt, report):
                batch.append(record)
                if len(batch) < batch_size:
                    continue
                if ahead is None:
                    write(batch, None)
                else:
                    found = ahead.derive(batch)  # first: found while the last is written
                    if waiting is not None:
                        write(*waiting)
                    waiting = (batch, found)
                batch = []
                offset = raw.tell()
                bar.update(offset - position)
                position = offset
                bar.set_postfix_str(f"added={report.added} updated={report.updated}")
            if waiting is not None:
                write(*waiting)
            if batch:
                write(batch, None)
            bar.set_postfix_str(f"added={report.added} updated={report.updated}")
            bar.update(total - position)
    finally:
        if ahead is not None:
            ahead.close()
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
