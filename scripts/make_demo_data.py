"""Run by hand when the demo set should change: derive the bundled demo papers.

Takes the most recent listing days of the shared arXiv file until about 3,000 papers
and writes them, gzipped, to paperboy/data/demo-papers.jsonl.gz (kept under 5 MB).

    python scripts/make_demo_data.py [--source ../shared/data/arxiv-2025-2026.jsonl.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "paperboy" / "data" / "demo-papers.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--source", type=Path, default=ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
    )
    parser.add_argument("--papers", type=int, default=3000)
    args = parser.parse_args()
    by_day: dict[str, list[str]] = defaultdict(list)
    with gzip.open(args.source, "rt", encoding="utf-8") as fh:
        for line in fh:
            by_day[json.loads(line)["listing_date"]].append(line)
    chosen: list[str] = []
    for day in sorted(by_day, reverse=True):
        if len(chosen) >= args.papers:
            break
        chosen.extend(by_day[day])
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", compresslevel=9, mtime=0) as out:
        out.writelines(line.encode() for line in chosen)
    print(f"wrote {len(chosen)} papers to {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
