"""Run by hand: derive the recorded Hugging Face daily-papers answers used by the tests.

Builds tests/fixtures/hf-daily-week.json, ``{"YYYY-MM-DD": [item, ...]}`` for seven
days, each item in the documented ``/api/daily_papers`` shape (``paper{id, authors,
publishedAt, submittedOnDailyAt, title, summary, upvotes, githubRepo}``, plus the
top-level ``publishedAt``, ``title``, ``summary``), from the real papers and upvotes of
../shared/data/hf-daily-papers-2024.jsonl: a day lists (up to six of) the papers
published the day before. ``githubRepo`` is only set where the abstract names one.
Abstracts are cut to 300 characters to keep the fixture small.

    python scripts/make_hf_recordings.py
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "hf-daily-papers-2024.jsonl"
TARGET = ROOT / "tests" / "fixtures" / "hf-daily-week.json"
FIRST_DAY = date(2024, 3, 5)
GITHUB = re.compile(r"https?://github\.com/[\w.-]+/[\w.-]+")


def item(row: dict[str, object], day: date) -> dict[str, object]:
    abstract = str(row["abstract"])
    paper: dict[str, object] = {
        "id": row["arxiv_id"],
        "authors": [{"name": name, "hidden": False} for name in row["authors"]],  # type: ignore[attr-defined]
        "publishedAt": str(row["publication_date"]).replace("Z", ".000Z"),
        "submittedOnDailyAt": f"{day.isoformat()}T04:00:00.000Z",
        "title": row["title"],
        "summary": abstract[:300],
        "upvotes": row["upvotes"],
    }
    repo = GITHUB.search(abstract)
    if repo:
        paper["githubRepo"] = repo.group(0).rstrip(".")
    return {
        "paper": paper,
        "publishedAt": paper["publishedAt"],
        "title": row["title"],
        "summary": abstract[:300],
    }


def main() -> None:
    by_day: dict[str, list[dict[str, object]]] = defaultdict(list)
    with SOURCE.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            by_day[str(row["publication_date"])[:10]].append(row)
    week = {}
    for n in range(7):
        day = FIRST_DAY + timedelta(days=n)
        rows = by_day.get((day - timedelta(days=1)).isoformat(), [])[:6]
        week[day.isoformat()] = [item(r, day) for r in rows]
    TARGET.write_text(json.dumps(week, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {sum(map(len, week.values()))} items over 7 days to {TARGET}")


if __name__ == "__main__":
    main()
