"""Run by hand (a minute): where a hybrid search spends its time, stage by stage.

Runs the 200 realistic queries of ``search_latency.py`` through ``SearchService.search``
(hybrid, reranked, empty query cache) and reports, per stage, the mean wall time and the
mean CPU time of the whole process (``time.process_time``: every thread, the embedding
model's and BLAS's included). On a shared machine CPU time is the steadier figure: wall
time grows when other work takes the cores, CPU time does not. The stages are timed by
wrapping the service's own methods, so the path measured is the path readers get.

    .venv/bin/python benchmarks/search_stages.py --data-dir /tmp/paperboy-bench [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_latency import percentiles, realistic_queries  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.search import service as service_module  # noqa: E402
from paperboy.search.query import parse_query  # noqa: E402
from paperboy.search.service import SearchService  # noqa: E402
from paperboy.store import Store  # noqa: E402

Timings = dict[str, list[float]]


def timed(name: str, fn: Callable[..., Any], wall: Timings, cpu: Timings) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            wall.setdefault(name, []).append((time.perf_counter() - t) * 1000)
            cpu.setdefault(name, []).append((time.process_time() - c) * 1000)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-bench"))
    parser.add_argument("--mode", default="hybrid", choices=["lexical", "semantic", "hybrid"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, background_indexing=False)
    store = Store.open(settings.resolved_database_url)
    service = SearchService(settings, store)
    if service.lexical.num_docs < store.papers.count_papers():
        service.lexical.rebuild(store)
    queries = realistic_queries(store)
    for q in queries[:20]:
        service.search(parse_query(q))
    service.clear_query_cache()

    wall: Timings = {}
    cpu: Timings = {}
    # Instance attributes shadow the methods for this run only.
    vectors, lexical = service.vectors, service.lexical
    service.embed_query = timed("query embedding", service.embed_query, wall, cpu)  # type: ignore[method-assign]
    vectors.search = timed("embedding search", vectors.search, wall, cpu)  # type: ignore[method-assign]
    vectors.cosines = timed("candidate cosines", vectors.cosines, wall, cpu)  # type: ignore[method-assign]
    vectors.refresh = timed("vector refresh", vectors.refresh, wall, cpu)  # type: ignore[method-assign]
    lexical.search = timed("keyword searches", lexical.search, wall, cpu)  # type: ignore[method-assign]
    service.first_stage = timed("per-field BM25", service.first_stage, wall, cpu)  # type: ignore[method-assign]
    # The service module's own names, rebound for this run (what _ranked and search call).
    names = vars(service_module)
    names["candidate_features"] = timed("features", names["candidate_features"], wall, cpu)
    names["snippets"] = timed("snippets", names["snippets"], wall, cpu)
    get_papers = store.papers.get_papers
    store.papers.get_papers = timed("paper rows", get_papers, wall, cpu)  # type: ignore[method-assign]
    search = timed("whole search", service.search, wall, cpu)
    for q in queries:
        search(parse_query(q), mode=args.mode)
    n = len(queries)
    stages = {
        name: {
            "calls_per_query": round(len(wall[name]) / n, 2),
            "wall_ms_per_query": round(sum(wall[name]) / n, 2),
            "cpu_ms_per_query": round(sum(cpu[name]) / n, 2),
        }
        for name in wall
    }
    figures = {
        "mode": args.mode,
        "queries": n,
        "load_average": os.getloadavg()[0],
        "stages": stages,
        "whole_search_wall": percentiles(wall["whole search"]),
        "whole_search_cpu": percentiles(cpu["whole search"]),
        "whole_search_cpu_mean": round(statistics.mean(cpu["whole search"]), 2),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{n} queries, mode {args.mode}, load average {figures['load_average']:.2f}")
    print(f"{'stage':<20} {'calls':>6} {'wall ms':>8} {'CPU ms':>8}   (means per query)")
    for name, s in stages.items():
        print(
            f"{name:<20} {s['calls_per_query']:>6} {s['wall_ms_per_query']:>8} "
            f"{s['cpu_ms_per_query']:>8}"
        )
    print("whole search p50/p95 wall:", figures["whole_search_wall"])
    print("whole search p50/p95 CPU: ", figures["whole_search_cpu"])


if __name__ == "__main__":
    main()
