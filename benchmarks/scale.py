"""Run by hand: the whole of arXiv (2.7 million papers) on one box (issue 14, item 7).

Two parts, both on a synthetic corpus derived from the real 74,728 papers of
``shared/data/arxiv-2025-2026.jsonl.gz``:

**Vectors** (``--vectors``, default 2,700,000, in memory only). Each synthetic vector is
a real all-MiniLM-L6-v2 embedding plus Gaussian noise (sigma 0.025 per dimension, cosine
about 0.9 to its source), renormalised and rounded to float16 as the database stores
it. The real embeddings come from ``--embeddings-db`` (a paperboy database: its
``paper_embeddings`` rows) or, by default, are computed with the shipped model for
``--sample`` papers. Queries are the titles of other real papers, embedded with the
shipped model; those 100 papers are held out of the vectors' sources. Measured: exact
float32 search against the shipped strategy (a Hamming scan of sign codes on
``SCAN_THREADS`` threads and on one, level codes for the nearest 2%, exact rescoring of
the nearest ``PAPERBOY_VECTOR_RESCORE``), p50/p95 wall and CPU time per query, recall@10
against exact search (plain and with a category and date filter), memory of each
representation.

**Database** (``--papers``, default 300,000). Synthetic papers: new identifiers (YYMM
months from 0704 on, numbered), the real title and abstract perturbed (sentences
shuffled, about 5% of words dropped and 5% replaced by words from the corpus
vocabulary), the authors of another random paper, a random day in the id's month, the
real categories. Written to a JSON Lines file (reused by a rerun into the same
``--data-dir``) and loaded with ``ingest_jsonl`` (the path of ``paperboy ingest
jsonl``); then embeddings are stored for every paper (its source's real embedding when
there is one, else one of its primary category's, plus noise) and the keyword index is
built. A fresh process then opens the data folder as ``paperboy serve`` would, runs 200
realistic hybrid queries (benchmarks/search_latency.py) and reports its resident memory.

    .venv/bin/python benchmarks/scale.py --papers 300000 --vectors 2700000 \\
        --embeddings-db sqlite:////path/to/paperboy.db --model-dir /path/to/models [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_latency import dir_mb, percentiles, realistic_queries, rss_mb  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.search import vector_index  # noqa: E402
from paperboy.search.embed import DIM, load_embedder, paper_text  # noqa: E402
from paperboy.search.query import parse_query  # noqa: E402
from paperboy.search.service import SearchService, model_key  # noqa: E402
from paperboy.search.vector_index import BlockRows, VectorBlock  # noqa: E402
from paperboy.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
NOISE = 0.025
FIRST_MONTH = (2007, 4)  # new-style arXiv identifiers start in April 2007
PER_MONTH = 99_999


def read_corpus() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def real_embeddings(
    papers: list[dict[str, Any]], url: str | None, sample: int, model_dir: Path
) -> dict[str, np.ndarray]:
    """arXiv id -> a real embedding: from a paperboy database, or computed for a sample."""
    if url:
        store = Store.open(url, migrate=False)
        found: dict[str, np.ndarray] = {}
        for page in store.embeddings.iter_embeddings(model_key("onnx-int8"), DIM):
            for arxiv_id, vector in zip(page.arxiv_ids, page.vectors, strict=True):
                found[arxiv_id] = vector.astype(np.float32)
        store.close()
        return found
    picked = random.Random(3).sample(papers, sample)
    embedder = load_embedder(model_dir)
    vectors = embedder.encode([paper_text(p["title"], p["abstract"]) for p in picked])
    return {p["id"]: v for p, v in zip(picked, vectors, strict=True)}


def noisy(sources: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sources plus Gaussian noise, unit length, in the stored precision (float16)."""
    v = sources + rng.normal(0, NOISE, sources.shape).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype(np.float16)


# -- vectors --------------------------------------------------------------------------


def timed(fn: Any, queries: np.ndarray) -> tuple[list[Any], dict[str, float], dict[str, float]]:
    out, wall, cpu = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        out.append(fn(q))
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return out, percentiles(wall), percentiles(cpu)


def top10(scores: np.ndarray, rows: np.ndarray | None = None) -> set[int]:
    best = np.argpartition(-scores, 9)[:10]
    return {int(rows[i]) if rows is not None else int(i) for i in best}


def measure_vectors(
    papers: list[dict[str, Any]], real: dict[str, np.ndarray], n: int, args: argparse.Namespace
) -> dict[str, Any]:
    rng = np.random.default_rng(11)
    # Query papers are held out of the vectors' sources: a query is never a near-copy.
    titled = sorted(p["id"] for p in papers)
    held = set(random.Random(5).sample(titled, args.queries))
    real_ids = [a for a in real if a not in held]
    matrix = np.stack([real[a] for a in real_ids]).astype(np.float32)
    started = time.perf_counter()
    f16 = np.empty((n, DIM), np.float16)
    source = rng.integers(0, len(real_ids), n)
    for at in range(0, n, 100_000):
        f16[at : at + 100_000] = noisy(matrix[source[at : at + 100_000]], rng)
    categories = [[f"c{int(s) % 8}"] for s in source]  # eight filterable groups
    days = (20250101 + (np.arange(n) % 28)).astype(np.int32)
    build = BlockRows([str(i) for i in range(n)], f16, days, categories)
    t = time.perf_counter()
    block = VectorBlock.build(build, threshold=0, rescore=args.rescore)
    figures: dict[str, Any] = {
        "vectors": n,
        "real_embeddings": len(real_ids),
        "synthesis_seconds": round(t - started, 1),
        "codes_build_seconds": round(time.perf_counter() - t, 1),
        "approx_memory_mb": round((block.vectors.nbytes + block.code_bytes) / 1e6),
        "exact_memory_mb": round(n * DIM * 4 / 1e6),
        "rescore": args.rescore,
    }
    known = {p["id"] for p in papers} - set(real_ids)
    titles = [p["title"] for p in papers if p["id"] in known]
    query_titles = random.Random(5).sample(titles, args.queries)
    figures["scan_threads"] = vector_index.SCAN_THREADS
    embedder = load_embedder(args.model_dir)
    queries = embedder.encode(query_titles)
    exact32 = block.vectors.astype(np.float32)
    mask = block.mask((20250101, 20250114), ["c3"], [])
    assert mask is not None
    truth, figures["exact_ms"], figures["exact_cpu_ms"] = timed(
        lambda q: top10(exact32 @ q), queries
    )
    filtered_truth = [top10(np.where(mask, exact32 @ q, -np.inf)) for q in queries]

    def approx(q: np.ndarray, m: np.ndarray | None = None) -> set[int]:
        rows, scores, _ = block.scored(q, m, 0.2)
        return top10(scores, rows)

    threads = vector_index.SCAN_THREADS
    vector_index.SCAN_THREADS = 1
    _, figures["approx_one_thread_ms"], _ = timed(approx, queries)
    vector_index.SCAN_THREADS = threads
    found, figures["approx_ms"], figures["approx_cpu_ms"] = timed(approx, queries)
    figures["recall_at_10"] = round(
        float(np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)])), 4
    )
    figures["recall_at_10_min"] = min(len(a & b) / 10 for a, b in zip(found, truth, strict=True))
    found_f, figures["approx_filtered_ms"], _ = timed(lambda q: approx(q, mask), queries)
    figures["recall_at_10_filtered"] = round(
        float(np.mean([len(a & b) / 10 for a, b in zip(found_f, filtered_truth, strict=True)])), 4
    )
    return figures


# -- database -------------------------------------------------------------------------


def perturb(text: str, vocabulary: list[str], rng: random.Random) -> str:
    sentences = [s for s in text.replace("\n", " ").split(". ") if s]
    rng.shuffle(sentences)
    words = []
    for word in ". ".join(sentences).split():
        roll = rng.random()
        if roll < 0.05:
            continue
        words.append(rng.choice(vocabulary) if roll < 0.10 else word)
    return " ".join(words)


def synthetic_id(i: int) -> tuple[str, str]:
    """The i-th synthetic identifier and a listing day in its month."""
    month_index, number = divmod(i, PER_MONTH)
    year, month = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + month_index, 12)
    day = 1 + (number * 7919) % 28
    return f"{year % 100:02d}{month + 1:02d}.{number + 1:05d}", f"{year}-{month + 1:02d}-{day:02d}"


def write_corpus(papers: list[dict[str, Any]], n: int, path: Path) -> list[int]:
    """The synthetic JSON Lines file; returns each line's source paper index."""
    rng = random.Random(17)
    vocabulary = sorted({w for p in papers[:5000] for w in p["title"].split() if w.isalpha()})
    sources = []
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for i in range(n):
            s = rng.randrange(len(papers))
            src = papers[s]
            arxiv_id, day = synthetic_id(i)
            record = {
                "id": arxiv_id,
                "title": perturb(src["title"], vocabulary, rng) or src["title"],
                "abstract": perturb(src["abstract"], vocabulary, rng),
                "authors": papers[rng.randrange(len(papers))]["authors"],
                "categories": src["categories"],
                "comment": src.get("comment"),
                "listing_date": day,
            }
            out.write(json.dumps(record) + "\n")
            sources.append(s)
    return sources


def store_vectors(
    store: Store, papers: list[dict[str, Any]], sources: list[int], real: dict[str, np.ndarray]
) -> int:
    """Every paper's embedding: its source's real one (or its category's) plus noise."""
    rng = np.random.default_rng(23)
    by_category: dict[str, list[np.ndarray]] = {}
    for p in papers:
        if p["id"] in real:
            by_category.setdefault(p["categories"][0], []).append(real[p["id"]])
    everything = list(real.values())
    source_of = {synthetic_id(i)[0]: s for i, s in enumerate(sources)}
    model = model_key("onnx-int8")
    stored = last = 0
    # From the last id stored: from the start, each page would first pass every paper
    # embedded so far (quadratic at millions).
    while batch := store.embeddings.papers_to_embed(model, limit=5000, after=last):
        last = batch[-1].paper_id
        found = store.papers.get_papers_by_ids([b.paper_id for b in batch])
        ids = {pid: paper.arxiv_id for pid, paper in found.items()}
        base = []
        for item in batch:
            src = papers[source_of[ids[item.paper_id]]]
            pool = by_category.get(src["categories"][0]) or everything
            own = real.get(src["id"])
            base.append(own if own is not None else pool[int(rng.integers(len(pool)))])
        store.embeddings.save_embeddings(model, batch, noisy(np.stack(base), rng))
        stored += len(batch)
    return stored


def build_database(
    papers: list[dict[str, Any]], real: dict[str, np.ndarray], args: argparse.Namespace
) -> dict[str, Any]:
    data = args.data_dir
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data, background_indexing=False, model_dir=args.model_dir)
    store = Store.open(settings.resolved_database_url)
    figures: dict[str, Any] = {"papers": args.papers}
    if store.papers.count_papers() < args.papers:
        path = data / "synthetic.jsonl.gz"
        made = data / f"synthetic-{args.papers}.sources.npy"  # written with the file
        t = time.perf_counter()
        if made.exists():  # a file written by an earlier (interrupted) run: same seed
            sources = [int(s) for s in np.load(made)]
        else:
            sources = write_corpus(papers, args.papers, path)
            np.save(made, np.asarray(sources, np.int32))
        figures["corpus_write_seconds"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        report = ingest_jsonl(store, path)
        seconds = time.perf_counter() - t
        figures["ingest_seconds"] = round(seconds, 1)
        figures["ingest_papers_per_second"] = round(report.added / seconds)
        figures["ingest_added"] = report.added
        t = time.perf_counter()
        figures["vectors_stored"] = store_vectors(store, papers, sources, real)
        figures["vector_store_seconds"] = round(time.perf_counter() - t, 1)
    service = SearchService(settings, store)
    t = time.perf_counter()
    figures["keyword_indexed"] = service.lexical.rebuild(store)
    figures["keyword_build_seconds"] = round(time.perf_counter() - t, 1)
    figures["keyword_index_mb"] = round(dir_mb(settings.resolved_index_dir / "lexical"), 1)
    figures["database_mb"] = round(
        sum(f.stat().st_size for f in data.glob("paperboy.db*") if f.is_file()) / 1e6, 1
    )
    store.close()
    return figures


def serve_figures(args: argparse.Namespace) -> dict[str, Any]:
    """Run in a fresh process: what a warm web process holds and how fast it searches."""
    settings = Settings(data_dir=args.data_dir, background_indexing=False, model_dir=args.model_dir)
    store = Store.open(settings.resolved_database_url)
    service = SearchService(settings, store)
    t = time.perf_counter()
    figures: dict[str, Any] = {"vectors_loaded": len(service.vectors)}
    figures["vector_load_seconds"] = round(time.perf_counter() - t, 1)
    figures["approximate"] = service.vectors.approximate
    queries = realistic_queries(store)
    for q in queries[:20]:
        service.search(parse_query(q))
    figures["warm_rss_mb"] = round(rss_mb())
    service.clear_query_cache()
    wall, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        service.search(parse_query(q))
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    figures["hybrid_ms"] = percentiles(wall)
    figures["hybrid_cpu_ms"] = percentiles(cpu)
    figures["queries"] = len(queries)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=300_000, help="database scale (0: skip)")
    parser.add_argument("--vectors", type=int, default=2_700_000, help="vector scale (0: skip)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-scale"))
    parser.add_argument("--model-dir", type=Path, default=None, help="exported model folder")
    parser.add_argument("--embeddings-db", default=None, help="database URL with real vectors")
    parser.add_argument("--sample", type=int, default=2000, help="papers embedded by default")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rescore", type=int, default=Settings().vector_rescore)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-web", action="store_true", help="skip the web process figures")
    parser.add_argument("--serve-figures", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.model_dir is None:
        args.model_dir = args.data_dir / "models"
    if args.serve_figures:
        print(json.dumps(serve_figures(args)))
        return
    if not CORPUS.exists():
        sys.exit(f"Error: {CORPUS} is missing (see shared/data/README.md)")
    papers = read_corpus()
    real = real_embeddings(papers, args.embeddings_db, args.sample, args.model_dir)
    figures: dict[str, Any] = {}
    if args.vectors:
        figures["vector_strategy"] = measure_vectors(papers, real, args.vectors, args)
    if args.papers:
        figures["database"] = build_database(papers, real, args)
    if args.papers and not args.no_web:
        child = [sys.executable, __file__, "--serve-figures", "--data-dir", str(args.data_dir)]
        child += ["--model-dir", str(args.model_dir)]
        out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        figures["web_process"] = json.loads(out.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(figures))
        return
    for part, values in figures.items():
        print(f"\n{part}")
        for key, value in values.items():
            print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
