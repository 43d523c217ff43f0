"""Run by hand: search latency at a steady arrival rate (open loop), the figure a
capacity plan needs. `load.py` keeps 50 clients busy (a closed loop: each sends its next
request when answered), which measures saturation: there, a search that runs waits for
the 49 before it. Here searches arrive at random times (Poisson) at a set rate, each a
new query of two to four title words (so every one runs; none is a cache hit), whether
or not the earlier ones are answered, as readers on a site do.

    PYTHONPATH=. .venv/bin/python benchmarks/search_rate.py --data-dir /tmp/load-sqlite \\
        --rates 5,10,20,30 --seconds 30

Starts `paperboy serve` like load.py (same options), warms it up, then for each rate
prints answered/s, p50/p95/p99 and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import _sample_urls, _start_server, _wait_ready


async def _at_rate(base: str, paths: list[str], rate: float, seconds: float) -> dict[str, Any]:
    rng = random.Random(int(rate * 1000))
    times: list[float] = []
    errors = 0

    async def one(client: httpx.AsyncClient, path: str) -> None:
        nonlocal errors
        start = time.perf_counter()
        try:
            answer = await client.get(base + path, timeout=60)
            if answer.status_code != 200:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        times.append((time.perf_counter() - start) * 1000)

    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits) as client:
        tasks = []
        began = time.perf_counter()
        due = began
        while due - began < seconds:
            due += rng.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(client, paths[len(tasks) % len(paths)])))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - began
    found = sorted(times)

    def pct(p: float) -> float:
        return round(found[min(len(found) - 1, int(len(found) * p))], 1)

    return {
        "rate": rate,
        "sent": len(found),
        "answered_per_second": round(len(found) / took, 1),
        "p50_ms": round(statistics.median(found), 1),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-jobs", action="store_true")
    ap.add_argument("--rates", default="5,10,20,30", help="searches per second, e.g. 5,10,20")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    args.search = "unique"
    paths = _sample_urls(args, random.Random(14))["search"]
    base = f"http://127.0.0.1:{args.port}"
    server = _start_server(args, args.port)
    results = []
    try:
        asyncio.run(_wait_ready(base))
        # Warm-up on queries of its own (the model, the index), never asked again.
        asyncio.run(_at_rate(base, paths[:40], 4.0, 10.0))
        paths = paths[40:]
        print(f"{'rate/s':>7} {'answered/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} errors")
        for rate in (float(r) for r in args.rates.split(",")):
            r = asyncio.run(_at_rate(base, paths, rate, args.seconds))
            paths = paths[r["sent"] :]
            results.append(r)
            print(
                f"{rate:>7g} {r['answered_per_second']:>10} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                f"{r['p99_ms']:>8} {r['errors']:>6}"
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
