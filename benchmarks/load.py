"""Run by hand: load figures for a running paperboy, from a bounded load generator on
this machine (127.0.0.1 only).

Starts `paperboy serve` (``--workers N``, on the data folder or database given) with the
API rate limit raised out of the way (the limiter is measured by its own tests), waits
until it answers, then runs ``--clients`` concurrent clients for ``--seconds``: each
sends its next request as soon as the last is answered, cycling through the front page,
day pages, paper pages, search, trending and the API feed (URLs drawn with a fixed seed
from the database). Signed-out readers, as most visitors are. Searches are ten popular
queries asked again and again (``--search popular``: after the first ask each is a page
cache hit) or a new query every time (``--search unique``: 20,000 queries of two to four
words cut from paper titles, so every search runs). Prints requests/s and
p50/p95/p99 per route, with errors, and writes them as JSON with ``--json``.

    PYTHONPATH=. .venv/bin/python benchmarks/load.py --data-dir /tmp/load-sqlite
    PYTHONPATH=. .venv/bin/python benchmarks/load.py --data-dir /tmp/load-pg \\
        --database-url postgresql+psycopg://... --workers 3 --generator wrk

The data folder must hold a database with papers (and, for search, its keyword index:
`paperboy index update`); the server loads no demo.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

QUERIES = [
    "sparse attention long context",
    "diffusion models for video generation",
    "reinforcement learning from human feedback",
    "graph neural networks molecules",
    "retrieval augmented generation evaluation",
    "speculative decoding",
    "vision language model hallucination",
    "protein structure prediction",
    "federated learning privacy",
    "mixture of experts routing",
]


def _unique_queries(titles: list[str], rng: random.Random, count: int = 20_000) -> list[str]:
    """Two to four consecutive words of random titles, each query asked once."""
    seen: set[str] = set()
    while len(seen) < count:
        words = re.findall(r"[A-Za-z][A-Za-z0-9-]+", rng.choice(titles))
        if len(words) < 2:
            continue
        size = rng.randint(2, min(4, len(words)))
        start = rng.randrange(len(words) - size + 1)
        seen.add(" ".join(words[start : start + size]).lower())
    return sorted(seen, key=lambda _: rng.random())


def _sample_urls(args: argparse.Namespace, rng: random.Random) -> dict[str, list[str]]:
    """Paper ids and days from the database (SQLite file, or PostgreSQL through psycopg)."""
    ids_sql = "SELECT arxiv_id, title FROM papers ORDER BY id"
    days_sql = "SELECT DISTINCT announced FROM papers"
    if args.database_url:
        import psycopg

        url = args.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            rows = [(r[0], r[1]) for r in conn.execute(ids_sql)]
            days = [str(r[0]) for r in conn.execute(days_sql)]
    else:
        db = args.data_dir / "paperboy.db"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = [(r[0], r[1]) for r in conn.execute(ids_sql)]
            days = [str(r[0]) for r in conn.execute(days_sql)]
    ids = [arxiv_id for arxiv_id, _ in rows]
    queries = QUERIES
    if args.search == "unique":
        queries = _unique_queries([title for _, title in rows], rng)
    days = sorted(d for d in days if d and d != "None")[-30:]
    return {
        "front": ["/"],
        "day": [f"/day/{d}" for d in days],
        "paper": [f"/paper/{a}" for a in rng.sample(ids, min(300, len(ids)))],
        "search": [f"/search?q={q.replace(' ', '+')}" for q in queries],
        "trending": ["/trending?window=1", "/trending?window=7", "/trending?window=30"],
        "api_feed": [f"/api/feed?date={d}&limit=50" for d in days],
    }


def _start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PAPERBOY_DATA_DIR": str(args.data_dir),
        "PAPERBOY_LOAD_DEMO": "false",
        "PAPERBOY_API_READ_LIMIT": "1000000",
        "PAPERBOY_LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["PAPERBOY_DATABASE_URL"] = args.database_url
    command = [sys.executable, "-m", "paperboy", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers)]
    if args.no_jobs:
        command.append("--no-jobs")
    return subprocess.Popen(command, env=env)


async def _wait_ready(base: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/api/health", timeout=5)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("the server did not answer in time")


async def _run(base: str, urls: dict[str, list[str]], args: argparse.Namespace) -> dict[str, Any]:
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    routes = list(urls)
    stop_at = time.monotonic() + args.seconds
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)

    async def client_loop(n: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(n)
        i = n
        while time.monotonic() < stop_at:
            route = routes[i % len(routes)]
            i += 1
            url = rng.choice(urls[route])
            start = time.perf_counter()
            try:
                # A fresh signed-out reader each time: no cookie carried over.
                answer = await client.get(base + url, timeout=30, cookies=httpx.Cookies())
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            times[route].append((time.perf_counter() - start) * 1000)
            if not ok:
                errors[route] += 1

    async with httpx.AsyncClient(limits=limits) as client:
        began = time.monotonic()
        await asyncio.gather(*(client_loop(n, client) for n in range(args.clients)))
        elapsed = time.monotonic() - began
    result: dict[str, Any] = {"seconds": round(elapsed, 1), "routes": {}}
    total = 0
    for route in routes:
        found = sorted(times[route])
        total += len(found)
        if not found:
            continue

        def pct(p: float, values: list[float] = found) -> float:
            return round(values[min(len(values) - 1, int(len(values) * p))], 1)

        result["routes"][route] = {
            "requests": len(found),
            "per_second": round(len(found) / elapsed, 1),
            "p50_ms": round(statistics.median(found), 1),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "errors": errors[route],
        }
    result["requests_per_second"] = round(total / elapsed, 1)
    return result


_WRK_SCRIPT = """
local paths = {%s}
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%f %%f %%f %%f %%d %%d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _wrk(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """One wrk run cycling through ``paths``: requests, seconds, p50/p95/p99, errors."""
    listed = ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % listed)
    try:
        command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, int(seconds))}s", "--timeout", "30s"]
        out = subprocess.run(
            [*command, "-s", script.name, base], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    found = re.search(r"^WRK (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$", out, re.M)
    if found is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    requests, took, p50, p95, p99, status, socket = (float(v) for v in found.groups())
    return {
        "requests": int(requests),
        "seconds": round(took, 1),
        "per_second": round(requests / took, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "errors": int(status + socket),
    }


def _run_wrk(base: str, urls: dict[str, list[str]], args: argparse.Namespace) -> dict[str, Any]:
    """The mix in one run (requests/s in all), then each route alone (its percentiles),
    then every route at once, each with its share of the clients (its percentiles while
    the others run: does one route slow the rest?)."""
    longest = max(len(v) for v in urls.values())
    mixed = [urls[r][k % len(urls[r])] for k in range(longest) for r in urls]
    total = _wrk(base, mixed, args.clients, args.seconds)
    share = max(5.0, args.seconds / len(urls))
    routes = {route: _wrk(base, paths, args.clients, share) for route, paths in urls.items()}
    per_route = max(1, args.clients // len(urls))
    with ThreadPoolExecutor(len(urls)) as pool:
        running = {
            route: pool.submit(_wrk, base, paths, per_route, args.seconds / 2)
            for route, paths in urls.items()
        }
        together = {route: future.result() for route, future in running.items()}
    return {
        "seconds": total["seconds"],
        "requests_per_second": total["per_second"],
        "mixed": total,
        "routes": routes,
        "together": together,
        "together_clients": per_route,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--no-jobs", action="store_true", help="serve --no-jobs (one process)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--routes",
        default="front,day,paper,search,trending,api_feed",
        help="comma-separated subset, e.g. front,day,trending,api_feed for listings only",
    )
    ap.add_argument(
        "--generator",
        choices=("httpx", "wrk"),
        default="httpx",
        help="wrk (apt install wrk) costs the server far less CPU than the Python client",
    )
    ap.add_argument(
        "--search",
        choices=("popular", "unique"),
        default="popular",
        help="ten queries asked again and again, or a new query every time (every one runs)",
    )
    args = ap.parse_args()
    if args.generator == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("Error: wrk is not installed (apt install wrk)")
    every = _sample_urls(args, random.Random(14))
    urls = {name: every[name] for name in args.routes.split(",")}
    base = f"http://127.0.0.1:{args.port}"
    server = _start_server(args, args.port)
    try:
        asyncio.run(_wait_ready(base))
        # Warm up: every URL once (caches, the model for search), then measure. Unique
        # searches warm up on queries of their own, never asked again.
        warm = dict(urls)
        if args.search == "unique" and "search" in urls:
            warm["search"], urls["search"] = urls["search"][:50], urls["search"][50:]
        asyncio.run(_run(base, warm, argparse.Namespace(**{**vars(args), "seconds": 10.0})))
        if args.generator == "wrk":
            result = _run_wrk(base, urls, args)
        else:
            result = asyncio.run(_run(base, urls, args))
    finally:
        server.terminate()
        server.wait(timeout=60)
    result["setup"] = {
        "workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "clients": args.clients,
        "generator": args.generator,
        "search": args.search,
    }
    print(f"{result['requests_per_second']} requests/s over {result['seconds']} s (mixed)")
    if args.generator == "wrk":
        m = result["mixed"]
        print(
            f"mixed: p50 {m['p50_ms']} / p95 {m['p95_ms']} / p99 {m['p99_ms']} ms, "
            f"{m['errors']} errors; per route, each alone:"
        )
    print(f"{'route':<10} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for route, r in result["routes"].items():
        print(
            f"{route:<10} {r['per_second']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} "
            f"{r['p99_ms']:>8} {r['errors']:>7}"
        )
    if args.generator == "wrk":
        print(
            f"all at once, {result['together_clients']} clients per route "
            f"for {args.seconds / 2:.0f} s:"
        )
        for route, r in result["together"].items():
            print(
                f"{route:<10} {r['per_second']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} "
                f"{r['p99_ms']:>8} {r['errors']:>7}"
            )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
