"""Run by hand (first run: about 25 minutes, mostly embedding): search speed over the
74,728-paper shared corpus.

Builds (or reuses) a data folder with the whole corpus, then prints: keyword index
build time and size, embedding store size, resident memory of a warm search process,
and p50/p95 latency of 200 realistic queries in lexical, semantic and hybrid mode,
in-process (SearchService.search: ranking, paper rows and snippets, the query embedding
included) and through HTTP (/api/search on a local uvicorn server).

    .venv/bin/python benchmarks/search_latency.py [--data-dir /tmp/paperboy-bench] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.search.query import parse_query  # noqa: E402
from paperboy.search.service import MODES, SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.web import create_app  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "cs.RO", "cs.IR"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def realistic_queries(store: Store, n: int = 200, seed: int = 7) -> list[str]:
    """Half title fragments (3-6 words), a quarter loose descriptions taken from
    abstracts, a quarter with a category or year filter."""
    rng = random.Random(seed)
    latest = store.papers.latest_announced()
    assert latest is not None
    papers = store.papers.feed(latest.replace(year=latest.year - 1), latest, limit=5000).papers
    picked = rng.sample(papers, n)
    queries = []
    for i, paper in enumerate(picked):
        title_words = [w.strip(":,.()") for w in paper.title.split()]
        abstract_words = (paper.abstract or paper.title).split()
        if i % 4 in (0, 1):
            size = rng.randint(3, 6)
            start = rng.randint(0, max(0, len(title_words) - size))
            queries.append(" ".join(title_words[start : start + size]))
        elif i % 4 == 2:
            start = rng.randint(0, max(0, len(abstract_words) - 10))
            queries.append(" ".join(abstract_words[start : start + rng.randint(5, 9)]))
        else:
            size = rng.randint(2, 4)
            words = " ".join(title_words[:size])
            extra = rng.choice([f"cat:{rng.choice(CATEGORIES)}", "year:2026", "year:2025"])
            queries.append(f"{words} {extra}")
    return queries


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-bench"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # No API rate limit: the benchmark is one client sending 600 requests in a row.
    settings = Settings(data_dir=args.data_dir, background_indexing=False, api_rate_limit=False)
    store = Store.open(settings.resolved_database_url)
    figures: dict[str, Any] = {}
    if store.papers.count_papers() < 74_728:
        started = time.perf_counter()
        ingest_jsonl(store, CORPUS)
        figures["ingest_seconds"] = round(time.perf_counter() - started, 1)
    service = SearchService(settings, store)
    started = time.perf_counter()
    indexed = service.lexical.rebuild(store, show_progress=not args.json)
    figures["keyword_index"] = {
        "papers": indexed,
        "build_seconds": round(time.perf_counter() - started, 1),
        "size_mb": round(dir_mb(settings.resolved_index_dir / "lexical"), 1),
    }
    pending = store.embeddings.count_to_embed(service.embedder.name)
    if pending:
        started = time.perf_counter()
        service.embed_pending(show_progress=not args.json)
        seconds = time.perf_counter() - started
        figures["embedding"] = {
            "papers": pending,
            "seconds": round(seconds, 1),
            "papers_per_second": round(pending / seconds, 1),
        }
    figures["embeddings_mb"] = round(len(service.vectors) * 384 * 2 / 1e6, 1)
    queries = realistic_queries(store)
    for q in queries[:20]:  # warm-up: model, caches, index readers
        service.search(parse_query(q))
    figures["resident_mb"] = round(rss_mb(), 1)

    in_process: dict[str, Any] = {}
    cpu_time: dict[str, Any] = {}
    for mode in MODES:
        # Every mode pays for its query embeddings: no help from the LRU cache filled by
        # the previous mode (code from before the cache has no such method).
        getattr(service, "clear_query_cache", lambda: None)()
        times, cpu = [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            service.search(parse_query(q), mode=mode)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        in_process[mode] = percentiles(times)
        # CPU time of this process (all its threads): unlike wall time, it does not grow
        # when other work on the machine takes the cores.
        cpu_time[mode] = percentiles(cpu)
    figures["in_process"] = in_process
    figures["in_process_cpu"] = cpu_time

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store, service), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    over_http: dict[str, Any] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for q in queries[:10]:
            client.get("/api/search", params={"q": q})
        for mode in MODES:
            getattr(service, "clear_query_cache", lambda: None)()
            times = []
            for q in queries:
                t = time.perf_counter()
                client.get("/api/search", params={"q": q, "mode": mode}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
            over_http[mode] = percentiles(times)
    server.should_exit = True
    thread.join(10)
    figures["http"] = over_http
    figures["queries"] = len(queries)
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
