"""Run by hand (about 1-2 minutes; the first run without a prepared data folder adds an
ingest and some embedding): compose and deliver 10,000 digests.

Target (issue 5): 10,000 confirmed subscribers with varied preferences, all digests
composed and delivered to a local SMTP server in <= 60 s on the 2-core machine.

Setup: a copy of the whole shared corpus (74,728 papers; reused from
``--data-dir``, as left by benchmarks/search_latency.py, or ingested fresh, embedding
only the digest week's papers), 2,000 accounts casting ~12,000 upvotes over the week's
papers, and 10,000 active subscriptions: 70% daily, 30% weekly on Tuesday; 0-3
categories; 20% with include keywords, 10% with exclude keywords; 5-20 papers; 10% are
accounts with upvotes, who also get a "for you" section. Then ``send_due_digests`` runs
for Tuesday 30 June 2026 08:00 UTC against an aiosmtpd server in another process, and
the script prints messages/second, checks the server got exactly one message per
subscriber, and times composing + rendering alone for comparison.

    .venv/bin/python benchmarks/digest.py [--data-dir /tmp/paperboy-bench] [--subscribers 10000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import socket
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.config import Settings  # noqa: E402
from paperboy.digest import Composer, make_preferences, render_digest, send_due_digests  # noqa: E402
from paperboy.digest.outbox import digest_message_id  # noqa: E402
from paperboy.digest.periods import period_from_key, weekly_period  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.search.embed import paper_text  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.store.embeddings import TextToEmbed  # noqa: E402
from paperboy.store.papers import text_hash  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
DUE = datetime(2026, 6, 30, 8, 0)  # a Tuesday; the corpus ends on 1 July 2026
CATEGORIES = [
    "cs.LG",
    "cs.CL",
    "cs.CV",
    "cs.AI",
    "stat.ML",
    "cs.RO",
    "cs.CR",
    "math.OC",
    "quant-ph",
    "eess.IV",
    "cs.IR",
    "physics.comp-ph",
    "hep-th",
    "astro-ph.GA",
]
KEYWORDS = [
    "diffusion",
    "transformer",
    "graph",
    "reinforcement learning",
    "benchmark",
    "language model",
    "robot",
    "quantum",
    "survey",
    "privacy",
    "agent",
    "retrieval",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server(port: int, ready: Any, stop: Any, result: Any) -> None:
    """A local SMTP server in its own process, counting messages per recipient."""
    from collections import Counter

    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self) -> None:
            self.per_rcpt: Counter[str] = Counter()
            self.bytes = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            for rcpt in envelope.rcpt_tos:
                self.per_rcpt[rcpt] += 1
            self.bytes += len(envelope.content)
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    result.put((dict(handler.per_rcpt), handler.bytes))


def prepare(data_dir: Path, work: Path, settings: Settings) -> Store:
    source = data_dir / "paperboy.db"
    if source.exists():
        print(f"copying {source} ({source.stat().st_size / 1e6:.0f} MB)")
        shutil.copy(source, work / "paperboy.db")
        store = Store.open(settings.resolved_database_url)
    else:
        print(f"no {source}: ingesting {CORPUS.name}")
        store = Store.open(settings.resolved_database_url)
        ingest_jsonl(store, CORPUS)
    week = weekly_period(DUE.date())
    ids = [r.paper_id for r in store.recommend.recent_papers(week.first, week.last)]
    service = SearchService(settings, store)
    have, _ = store.embeddings.embeddings_for(service.embedder.name, 384, ids)
    missing = sorted(set(ids) - set(have))
    if missing:
        print(f"embedding {len(missing)} papers of the digest week")
        papers = store.papers.get_papers_by_ids(missing)
        items = [
            TextToEmbed(p.id, p.title, p.abstract, text_hash(p.title, p.abstract))
            for p in papers.values()
        ]
        for start in range(0, len(items), 256):
            batch = items[start : start + 256]
            vectors = service.embedder.encode(
                [paper_text(i.title, i.abstract) for i in batch], batch_size=64
            )
            store.embeddings.save_embeddings(service.embedder.name, batch, vectors)
    return store


def populate(store: Store, count: int, rng: random.Random) -> None:
    week = weekly_period(DUE.date())
    paper_ids = [r.paper_id for r in store.recommend.recent_papers(week.first, week.last)]
    voters = [store.accounts.create_user(f"voter{i}@bench.example").id for i in range(2000)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(paper_ids))]
    rng.shuffle(paper_ids)
    for user_id in voters:
        for paper_id in set(rng.choices(paper_ids, weights=weights, k=6)):
            store.votes.add_vote(user_id, paper_id, DUE - timedelta(hours=rng.uniform(1, 150)))
    rows = []
    for i in range(count):
        weekly = rng.random() < 0.3
        prefs = make_preferences(
            frequency="weekly" if weekly else "daily",
            weekday=1,
            categories=rng.sample(CATEGORIES, rng.choice([0, 0, 1, 2, 3])),
            include_keywords=rng.sample(KEYWORDS, 2) if rng.random() < 0.2 else [],
            exclude_keywords=rng.sample(KEYWORDS, 1) if rng.random() < 0.1 else [],
            max_papers=rng.randint(5, 20),
        )
        user_id = voters[i % len(voters)] if i % 10 == 0 else None
        rows.append((f"reader{i}@bench.example", user_id, prefs))
    for email, user_id, prefs in rows:
        store.digests.create_subscription(
            email, user_id=user_id, status="active", preferences=prefs.as_columns()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-bench"))
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="paperboy-digest-bench-"))
    port = free_port()
    settings = Settings(
        data_dir=work,
        model_dir=args.data_dir / "models",
        base_url="https://papers.example.org",
        smtp_host="127.0.0.1",
        smtp_port=port,
        background_indexing=False,
        digest_scheduler=False,
    )
    try:
        store = prepare(args.data_dir, work, settings)
        started = time.perf_counter()
        populate(store, args.subscribers, rng)
        took = time.perf_counter() - started
        print(f"{args.subscribers} subscribers and votes created in {took:.1f} s")

        # Composing and rendering alone (no SMTP, nothing written).
        composer = Composer(store, settings, DUE)
        subs = store.digests.subscriptions_by_ids(range(1, args.subscribers + 1))
        started = time.perf_counter()
        sizes = []
        for sub in subs.values():
            key = "W2026-06-30" if sub.frequency == "weekly" else "2026-06-30"
            digest = composer.compose(
                sub, period_from_key(key), digest_message_id(settings, sub.id, key)
            )
            if not digest.is_empty:
                sizes.append(len(render_digest(digest, settings).as_bytes()))
        compose_s = time.perf_counter() - started
        print(
            f"compose + render only: {len(subs)} digests in {compose_s:.1f} s "
            f"({len(subs) / compose_s:.0f}/s), "
            f"mean message {sum(sizes) / max(1, len(sizes)) / 1024:.1f} KiB"
        )

        ctx = multiprocessing.get_context("spawn")
        ready, stop, result = ctx.Event(), ctx.Event(), ctx.Queue()
        server = ctx.Process(target=smtp_server, args=(port, ready, stop, result))
        server.start()
        ready.wait(30)
        started = time.perf_counter()
        run = send_due_digests(store, settings, now=DUE)
        elapsed = time.perf_counter() - started
        stop.set()
        per_rcpt, total_bytes = result.get(timeout=60)
        server.join(30)
        print(f"send_due_digests: {run.summary()}")
        print(
            f"delivered {sum(per_rcpt.values())} messages ({total_bytes / 1e6:.1f} MB) to "
            f"{len(per_rcpt)} recipients in {elapsed:.1f} s: "
            f"{sum(per_rcpt.values()) / elapsed:.0f} messages/s "
            f"(target: {args.subscribers} in <= 60 s)"
        )
        duplicates = sum(1 for n in per_rcpt.values() if n > 1)
        print(
            f"recipients with more than one message: {duplicates}; "
            f"digests with nothing to send (skipped): {run.skipped}"
        )
        if sum(per_rcpt.values()) + run.skipped != args.subscribers or duplicates:
            raise SystemExit("FAILED: not exactly one digest per subscriber")
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
