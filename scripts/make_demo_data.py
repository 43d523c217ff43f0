"""Run by hand when the demo set should change: derive the bundled demo papers.

Takes the most recent listing days of the shared arXiv file until about 3,000 papers,
then appends the 753 real Hugging Face daily papers of 2023-12 .. 2024-04 with their
real upvotes (the shared hf-daily-papers-2024.jsonl, lines copied unchanged), and writes
them, gzipped, to paperboy/data/demo-papers.jsonl.gz (kept under 5 MB). The demo loader
stores the HF lines' upvotes as Hugging Face counts, so a first start shows real signal.

    python scripts/make_demo_data.py [--source ../shared/data/arxiv-2025-2026.jsonl.gz]
        [--hf ../shared/data/hf-daily-papers-2024.jsonl]
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
    parser.add_argument(
        "--hf", type=Path, default=ROOT.parent / "shared" / "data" / "hf-daily-papers-2024.jsonl"
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
    arxiv_papers = len(chosen)
    with args.hf.open(encoding="utf-8") as fh:
        chosen.extend(line if line.endswith("\n") else line + "\n" for line in fh if line.strip())
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", compresslevel=9, mtime=0) as out:
        out.writelines(line.encode() for line in chosen)
    print(
        f"wrote {arxiv_papers} arXiv and {len(chosen) - arxiv_papers} Hugging Face papers "
        f"to {TARGET} ({TARGET.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
