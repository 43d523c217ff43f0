"""What the TL;DR adds to ingest: the first N papers of the shared corpus upserted into a
fresh SQLite database in batches of 2,000, once as shipped and once with the TL;DR step
switched off (the store's ``write_paper_tldrs`` replaced by a no-op for that run only),
then ``paperboy tldr backfill``'s speed over the same papers.

    python benchmarks/tldr_ingest.py [--papers 20000]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import paperboy.store.papers as papers_module  # noqa: E402
from paperboy.feed.tldr import backfill_tldrs  # noqa: E402
from paperboy.ingest.formats import record_from_json  # noqa: E402
from paperboy.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
BATCH = 2000


def ingest_seconds(records: list[Any], folder: Path, name: str) -> tuple[float, Store]:
    store = Store.open(f"sqlite:///{folder / name}")
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        store.papers.upsert_papers(records[start : start + BATCH])
    return time.perf_counter() - started, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20000)
    args = parser.parse_args()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        records = [record_from_json(json.loads(x)) for x in itertools.islice(handle, args.papers)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shipped = papers_module.write_paper_tldrs
        papers_module.write_paper_tldrs = lambda conn, rows: 0  # type: ignore[assignment]
        try:
            without, plain = ingest_seconds(records, folder, "without.db")
        finally:
            papers_module.write_paper_tldrs = shipped
        plain.close()
        with_tldr, store = ingest_seconds(records, folder, "with.db")
        started = time.perf_counter()
        report = backfill_tldrs(store)
        backfill = time.perf_counter() - started
        store.close()
    n = len(records)
    print(f"ingest {n} papers without TL;DR: {without:.1f} s ({n / without:.0f} papers/s)")
    print(f"ingest {n} papers with TL;DR:    {with_tldr:.1f} s ({n / with_tldr:.0f} papers/s)")
    extra = (with_tldr - without) / n * 1000
    print(f"TL;DR share of ingest: +{with_tldr - without:.1f} s, {extra:.2f} ms/paper")
    print(f"backfill: {backfill:.1f} s ({n / backfill:.0f} papers/s); {report.summary()}")


if __name__ == "__main__":
    main()
