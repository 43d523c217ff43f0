"""Run by hand: how long an author's page takes on a large database.

Target (issue 13, item 1): ``/author/{name}`` answers in at most 30 ms at 75,000 papers.
The script opens a COPY of a database (it migrates it: 0014 builds and backfills the
author tables, timed here), picks names (the most prolific ones, a spread of ordinary
ones, an initial variant and a one-word surname), and times, after a warm-up:

- ``author_page`` (the domain call: resolution, papers, co-authors, years, upvotes);
- ``GET /author/{name}`` (the whole HTML page through the real app and a TestClient);
- ``GET /api/authors/{name}``.

It prints p50/p95 per kind. Build the database with ``paperboy ingest jsonl`` from the
shared arXiv file (75k papers), or point ``--db`` at a copy of an existing one:

    .venv/bin/python benchmarks/author_page.py --db /tmp/copy/paperboy.db [--names 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.feed.authors import author_page  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.store.models import authors, paper_authors  # noqa: E402
from paperboy.web import create_app  # noqa: E402


def pick_names(store: Store, n: int, seed: int = 13) -> dict[str, list[str]]:
    """Names by kind: a random spread of names with 2+ papers ("typical"), the 5 most
    prolific, an initial form of the most prolific, and its surname alone."""
    count = func.count().label("n")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(authors.c.name, count)
            .join(paper_authors, paper_authors.c.author_id == authors.c.id)
            .group_by(authors.c.id, authors.c.name)
            .having(count >= 2)
            .order_by(count.desc())
        ).all()
    names = [str(r.name) for r in rows]
    first = names[0].split()
    return {
        "typical (2+ papers)": random.Random(seed).sample(names[5:], n),
        "5 most prolific": names[:5],
        "initial form": [f"{first[0][0]}. {' '.join(first[1:])}"],
        "surname alone": [first[-1]],
    }


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{label:<28} n={len(ms):<4} p50={statistics.median(ms):6.1f} ms  p95={p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a copy: it is migrated")
    parser.add_argument("--names", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    store = Store.open(f"sqlite:///{args.db}")
    print(f"open + migrate: {time.perf_counter() - start:.1f} s")
    print(f"papers: {store.papers.count_papers():,}  names: {store.authors.count_names():,}")
    kinds = pick_names(store, args.names)
    for kind, names in kinds.items():
        print(f"{kind}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            background_indexing=False,
            digest_scheduler=False,
            api_rate_limit=False,
        )
        with TestClient(create_app(settings, store)) as client:
            for kind, names in kinds.items():
                domain: list[float] = []
                html: list[float] = []
                api: list[float] = []
                for name in names:
                    path = quote(name, safe="")
                    assert client.get(f"/author/{path}").status_code == 200, name
                    papers = author_page(store, name).total
                    domain += timed(lambda n=name: author_page(store, n), args.rounds)
                    html += timed(lambda p=path: client.get(f"/author/{p}"), args.rounds)
                    api += timed(lambda p=path: client.get(f"/api/authors/{p}"), args.rounds)
                print(f"-- {kind} ({len(names)} names; last one has {papers:,} papers)")
                report("author_page (domain)", domain)
                report("GET /author/{name}", html)
                report("GET /api/authors/{name}", api)
    store.close()


if __name__ == "__main__":
    main()
