"""Run by hand: how fast `paperboy mcp` starts and answers, seen from a real MCP client.

Spawns the real command over stdio with the SDK's client (as Claude Desktop would) and
prints: time from spawn to an initialized session, the first search (loading the
stored vectors and the embedding model), then the median and p95 of warm calls of each
tool. Default data: a fresh folder with the bundled demo set (4,045 papers, real HF
upvotes), its keyword index and embeddings (embedding takes a few minutes the first
time; `--no-embed` measures the keyword-only fallback instead).

    .venv/bin/python benchmarks/mcp_server.py [--data-dir /tmp/paperboy-mcp-bench]
        [--calls 20] [--no-embed]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import anyio  # noqa: E402
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.demo import load_demo  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402


def prepare(folder: Path, embed: bool) -> list[str]:
    """The demo set in ``folder`` (once), indexed; returns title fragments to search."""
    settings = Settings(data_dir=folder, background_indexing=False)
    store = Store.open(settings.resolved_database_url)
    if store.papers.count_papers() == 0:
        started = time.perf_counter()
        load_demo(store)
        print(f"demo loaded: {store.papers.count_papers():,} papers", end="")
        print(f" in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    update = SearchService(settings, store).update(embed=embed, show_progress=False)
    print(
        f"indexes: {update.indexed} indexed, {update.embedded} embedded "
        f"in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(11)
    latest = store.papers.latest_announced()
    assert latest is not None
    papers = store.papers.feed(latest.replace(month=1, day=1), latest, limit=2000).papers
    queries = []
    for paper in rng.sample(papers, 60):
        words = [w for w in paper.title.split() if w.isalpha() and len(w) > 3]
        if len(words) >= 3:
            start = rng.randrange(0, len(words) - 2)
            queries.append(" ".join(words[start : start + rng.randint(2, 4)]))
    store.close()
    return queries


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


async def measure(folder: Path, queries: list[str], calls: int) -> None:
    env = {"PYTHONPATH": str(ROOT), "PAPERBOY_DATA_DIR": str(folder)}
    env.update({k: v for k, v in os.environ.items() if k == "PAPERBOY_MODEL_DIR"})
    params = StdioServerParameters(command=sys.executable, args=["-m", "paperboy", "mcp"], env=env)
    started = time.perf_counter()
    with open(folder / "mcp-bench.log", "w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            print(f"server start (spawn -> initialized): {time.perf_counter() - started:.2f} s")

            async def timed(name: str, args: dict[str, Any]) -> float:
                at = time.perf_counter()
                result = await session.call_tool(name, args)
                assert not result.is_error, result.content
                return time.perf_counter() - at

            first = await timed("search_papers", {"query": queries[0]})
            print(f"first search_papers (hybrid, cold): {first * 1000:.0f} ms")
            daily = await session.call_tool("daily", {"limit": 1})
            some_id = (daily.structured_content or {})["papers"][0]["id"]
            plans: list[tuple[str, Any]] = [
                ("search_papers hybrid", lambda q: {"query": q}),
                ("search_papers lexical", lambda q: {"query": q, "mode": "lexical"}),
                ("search_papers semantic", lambda q: {"query": q, "mode": "semantic"}),
                ("get_paper", lambda q: {"arxiv_id": some_id}),
                ("trending (7 days)", lambda q: {"window": 7}),
                ("daily (newest day, 50)", lambda q: {}),
                ("similar_papers", lambda q: {"arxiv_id": some_id}),
            ]
            for label, make in plans:
                name = label.split()[0]
                times = [
                    await timed(name, make(queries[1 + i % (len(queries) - 1)]))
                    for i in range(calls)
                ]
                print(f"{label:<26} {ms(times)}   ({calls} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-mcp-bench"))
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--no-embed", action="store_true")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    queries = prepare(args.data_dir, embed=not args.no_embed)
    anyio.run(measure, args.data_dir, queries, args.calls)


if __name__ == "__main__":
    main()
