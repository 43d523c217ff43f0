"""Run by hand: how long /following takes for a reader with 200 follows on a large DB.

The script opens a COPY of a database (it migrates it) and a COPY of its keyword index,
creates a reader following 200 things, as a busy reader might: 140 author names active
in the window (drawn at random among names with a paper in it), the 20 busiest
categories and 40 saved searches (topics, some with filters), then times, after a
warm-up, ``following_feed`` (the domain call) and ``GET /api/following`` (through the real
app, with an API token). Prints p50/p95.

    .venv/bin/python benchmarks/following_page.py --db /tmp/copy/paperboy.db \\
        --index /tmp/copy/index [--rounds 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from paperboy.accounts import API_TOKEN, create_personal_token  # noqa: E402
from paperboy.config import Settings  # noqa: E402
from paperboy.feed.following import follow_key, following_feed  # noqa: E402
from paperboy.rank.foryou import feed_window  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.store.models import authors, paper_authors, paper_categories, papers  # noqa: E402
from paperboy.web import create_app  # noqa: E402

SEARCHES = [
    "sparse attention",
    "sparse attention cat:cs.CL",
    "diffusion models",
    "reinforcement learning from human feedback",
    "graph neural networks cat:cs.LG",
    "mixture of experts",
    '"large language models" reasoning',
    "protein structure prediction",
    "federated learning privacy",
    "vision transformer",
    "retrieval augmented generation",
    "speculative decoding",
    "world models",
    "neural operators",
    "quantum error correction",
    "causal inference",
    "time series forecasting",
    "autonomous driving cat:cs.RO",
    "knowledge distillation",
    "contrastive learning",
]
WINDOW_DAYS = 7


def plan(store: Store, seed: int = 7) -> list[tuple[str, str, str]]:
    since, until = feed_window(store, WINDOW_DAYS)
    with store.engine.connect() as conn:
        active = [
            str(n)
            for n in conn.execute(
                select(authors.c.name)
                .join(paper_authors, paper_authors.c.author_id == authors.c.id)
                .join(papers, papers.c.id == paper_authors.c.paper_id)
                .where(papers.c.announced >= since)
                .distinct()
            ).scalars()
        ]
        n = func.count()
        busiest = [
            str(c)
            for c in conn.execute(
                select(paper_categories.c.category)
                .group_by(paper_categories.c.category)
                .order_by(n.desc())
                .limit(20)
            ).scalars()
        ]
    rng = random.Random(seed)
    items = [follow_key("author", name) for name in rng.sample(active, 140)]
    items += [follow_key("category", c) for c in busiest]
    searches = SEARCHES + [f"{q} year:{until.year}" for q in SEARCHES]
    items += [follow_key("search", q) for q in searches]
    return items


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{label:<26} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a copy: it is migrated")
    parser.add_argument("--index", type=Path, required=True, help="a copy of its index dir")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    store = Store.open(f"sqlite:///{args.db}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            index_dir=args.index,
            model_dir=Path(tmp) / "models",
            background_indexing=False,
            digest_scheduler=False,
            api_rate_limit=False,
        )
        search = SearchService(settings, store)
        user = store.accounts.create_user(f"bench{time.time_ns()}@example.org")
        items = plan(store)
        store.follows.add(user.id, items, limit=len(items))
        print(f"papers: {store.papers.count_papers():,}; follows: {store.follows.count(user.id)}")
        feed = following_feed(store, search, user.id, window_days=WINDOW_DAYS)
        print(f"window {feed.since}..{feed.until}: {feed.total:,} papers from what is followed")
        print("e.g.", "; ".join(f.reasons[0] for f in feed.papers[:3]))
        domain = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            following_feed(store, search, user.id, window_days=WINDOW_DAYS)
            domain.append((time.perf_counter() - start) * 1000)
        _, token = create_personal_token(store, user, API_TOKEN, "bench")
        api = []
        with TestClient(create_app(settings, store, search)) as client:
            headers = {"Authorization": f"Bearer {token}"}
            assert client.get("/api/following", headers=headers).status_code == 200
            for _ in range(args.rounds):
                start = time.perf_counter()
                client.get("/api/following", headers=headers)
                api.append((time.perf_counter() - start) * 1000)
        report("following_feed (domain)", domain)
        report("GET /api/following", api)
    store.close()


if __name__ == "__main__":
    main()
