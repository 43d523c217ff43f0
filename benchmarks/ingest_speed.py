"""Run by hand: how fast ``ingest_jsonl`` loads a bulk file into a fresh SQLite data
folder, and where its CPU goes.

Prints wall papers/s, and CPU seconds per 1,000 papers for each side of the pipeline
separately: the writer (this process: reading, records, authors, SQL) and the TL;DR
worker (the second process of ``paperboy/ingest/tldr_ahead.py``, measured with
``RUSAGE_CHILDREN`` once its pool has closed). CPU time is what compares while the
machine is shared; the wall figure is printed with the load average it was taken at.
The slower side sets the pace, so both must fit the target (3,000 papers/s is
0.33 CPU s per 1,000 papers on each side).

    python benchmarks/ingest_speed.py FILE [--papers 100000] [--keep DIR] [--profile OUT]

FILE is a JSON Lines file (plain or gzip), e.g. one written by ``benchmarks/scale.py``'s
``write_corpus``; ``--papers`` reads only the first N lines (a copy is written first).
``--profile OUT`` writes a cProfile of the writer to OUT (slower; for finding hot spots).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.store import Store  # noqa: E402


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def first_lines(source: Path, n: int, folder: Path) -> Path:
    """The first ``n`` lines of ``source`` as a gzip file of their own."""
    out = folder / f"first-{n}.jsonl.gz"
    opener = gzip.open if source.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(source, "rb") as src, gzip.open(out, "wb", compresslevel=1) as dst:
        dst.writelines(itertools.islice(src, n))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--papers", type=int, help="only the first N lines of FILE")
    parser.add_argument("--keep", type=Path, help="data folder to use (default: temporary)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the writer here")
    parser.add_argument(
        "--no-ahead", action="store_true", help="choose TL;DRs in the writer (one process)"
    )
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"Error: {args.file} is not a file")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = first_lines(args.file, args.papers, Path(scratch)) if args.papers else args.file
        settings = Settings(data_dir=folder, background_indexing=False)
        store = Store.open(settings.resolved_database_url)
        if store.papers.count_papers():
            sys.exit(f"Error: {folder} already holds papers; give an empty folder")
        profiler = cProfile.Profile() if args.profile else None
        writer_before, worker_before = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = ingest_jsonl(store, path, tldr_ahead=False if args.no_ahead else None)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))
        wall = time.perf_counter() - started
        writer = cpu(resource.RUSAGE_SELF) - writer_before
        worker = cpu(resource.RUSAGE_CHILDREN) - worker_before
        load = os.getloadavg()
        store.close()
    thousands = max(report.added, 1) / 1000
    figures = {
        "papers_added": report.added,
        "skipped": len(report.skipped),
        "wall_s": round(wall, 1),
        "wall_papers_per_s": round(report.added / wall),
        "writer_cpu_s_per_1000": round(writer / thousands, 3),
        "worker_cpu_s_per_1000": round(worker / thousands, 3),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
