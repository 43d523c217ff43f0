"""Run by hand: a bulk ingest stores exactly what the code at a reference commit stores.

Exports the tree at ``--reference`` (default ``main``) with ``git archive``, runs
``paperboy ingest jsonl FILE`` with it and with this tree, each into a fresh SQLite data
folder of its own (a second process chooses the TL;DRs in both, as for any large file),
then compares every row of the tables an ingest writes: papers, paper_categories,
authors, paper_authors, paper_tldrs, code_links, github_repos. Only the clock columns
(``first_seen``, ``last_changed``, ...) are left out. Prints the differing row count per
table (must be 0) and exits 1 on any difference.

    python benchmarks/ingest_store_equivalence.py FILE [--reference main] [--papers 20000]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = (
    "papers",
    "paper_categories",
    "authors",
    "paper_authors",
    "paper_tldrs",
    "code_links",
    "github_repos",
)
CLOCK_COLUMNS = {"first_seen", "last_changed", "created_at", "updated_at", "checked_at"}


def ingest(tree: Path, file: Path, data: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PAPERBOY_DATA_DIR": str(data),
        "PAPERBOY_LOG_LEVEL": "WARNING",
    }
    env.pop("PAPERBOY_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "paperboy", "ingest", "jsonl", str(file), "--json"],
        env=env,
        cwd=tree,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def table_rows(database: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in CLOCK_COLUMNS]
        order = ", ".join(str(i + 1) for i in range(len(kept)))
        query = f"SELECT {', '.join(kept)} FROM {table} ORDER BY {order}"
        return list(conn.execute(query))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--reference", default="main", help="git commit or branch")
    parser.add_argument("--papers", type=int, help="only the first N lines of FILE")
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"Error: {args.file} is not a file")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        file = args.file
        if args.papers:
            file = work / "sample.jsonl.gz"
            with gzip.open(args.file, "rb") as src, gzip.open(file, "wb", compresslevel=1) as out:
                out.writelines(itertools.islice(src, args.papers))
        reference = work / "reference"
        reference.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.reference, "paperboy"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(reference)], input=archive, check=True)
        ingest(reference, file, work / "reference-data")
        ingest(ROOT, file, work / "this-data")
        differences = 0
        for table in TABLES:
            old = table_rows(work / "reference-data" / "paperboy.db", table)
            new = table_rows(work / "this-data" / "paperboy.db", table)
            only_old, only_new = Counter(old) - Counter(new), Counter(new) - Counter(old)
            differing = only_old.total() + only_new.total()
            differences += differing
            print(
                f"{table:17s} rows: reference {len(old):>8d}, this tree {len(new):>8d};"
                f" differing {differing}"
            )
    print(f"reference {args.reference}: {differences} differences")
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
