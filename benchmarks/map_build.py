"""Topic-map build time for a week and a month of the shared corpus.

Uses a COPY of a database whose papers have embeddings (default: the search benchmark's
``/work/bench-data/search/paperboy.db``, 12,946 embedded papers of the shared 2025-2026
arXiv corpus; any paperboy database with embeddings will do). Picks the ISO week and the
month with the most embedded papers (or --week / --month), builds each map from scratch
(``--force``), and prints papers, wall time and CPU time, then the cost of finding a
cached map current (the fingerprint check a request pays) and of serving it.

    python benchmarks/map_build.py [--db PATH] [--week 2025-W22] [--month 2025-05]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from paperboy.config import Settings
from paperboy.maps.periods import parse_map_period
from paperboy.maps.service import build_period, load_map, map_model
from paperboy.store import Store

DEFAULT_DB = Path("/work/bench-data/search/paperboy.db")


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup from a read-only connection: the source is never written."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def busiest(store: Store, model: str) -> tuple[str, str]:
    """The ISO week and the month with the most embedded papers."""
    weeks: Counter[str] = Counter()
    months: Counter[str] = Counter()
    with sqlite3.connect(str(store.engine.url.database)) as conn:
        rows = conn.execute(
            "SELECT p.announced FROM papers p JOIN paper_embeddings e ON e.paper_id = p.id "
            "WHERE e.model = ? AND p.announced IS NOT NULL",
            (model,),
        )
        for (day,) in rows:
            d = date.fromisoformat(str(day)[:10])
            year, week, _ = d.isocalendar()
            weeks[f"{year}-W{week:02d}"] += 1
            months[d.strftime("%Y-%m")] += 1
    return weeks.most_common(1)[0][0], months.most_common(1)[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--week")
    parser.add_argument("--month")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}: pass --db PATH (one with embeddings)")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "paperboy.db"
        copy_database(args.db, copy)
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{copy}")
        store = Store.open(settings.resolved_database_url)
        model = map_model(settings)
        week, month = busiest(store, model)
        periods = [args.week or week, args.month or month]
        print(f"database copy of {args.db}; embeddings {model}")
        for text in periods:
            period = parse_map_period(text)
            wall, cpu = time.perf_counter(), time.process_time()
            result = build_period(store, settings, period, force=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"{result.key}: {result.papers} papers, {result.clusters} topics, "
                f"{result.rising} rising: built in {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"({result.missing} papers without an embedding left out)"
            )
            check = time.perf_counter()
            assert not build_period(store, settings, period).rebuilt
            check = time.perf_counter() - check
            serve = time.perf_counter()
            view = load_map(store, settings, text, None)
            serve = time.perf_counter() - serve
            assert view.status == "ready"
            print(
                f"  cached map found current in {check * 1000:.0f} ms; "
                f"served (fingerprint + cached map) in {serve * 1000:.0f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
