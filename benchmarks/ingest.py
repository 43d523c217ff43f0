"""Run by hand: times `paperboy ingest jsonl` of the shared arXiv file (74,728 papers)
into a fresh SQLite database, twice (the second run finds everything unchanged), and
prints wall time, peak resident memory and the report of each run.

    .venv/bin/python benchmarks/ingest.py [--file ../shared/data/arxiv-2025-2026.jsonl.gz]
        [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"


def run_once(file: Path, env: dict[str, str]) -> dict[str, object]:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-m", "paperboy", "ingest", "jsonl", str(file), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(done.stdout)
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb_so_far": round(max(peak_kb, before) / 1024, 1),
        "added": report["added"],
        "updated": report["updated"],
        "unchanged": report["unchanged"],
        "skipped": len(report["skipped"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PAPERBOY_DATA_DIR": tmp, "PAPERBOY_LOG_LEVEL": "WARNING"}
        if args.database_url:
            env["PAPERBOY_DATABASE_URL"] = args.database_url
        first = run_once(args.file, env)
        print(f"first run (empty database): {json.dumps(first)}")
        second = run_once(args.file, env)
        print(f"second run (same file):     {json.dumps(second)}")


if __name__ == "__main__":
    main()
