"""Run by hand (about 35 minutes on 2 shared cores with the embedded database, most of it
fitting the linear model while tuning; without the database add ~25 minutes of
embedding): offline evaluation of the "For you" rankers on the 74,728-paper corpus.

Protocol (docs/ranking.md, "For you"): papers are split in time at ``--cut``. A reader is
an author (exact author-name string) with at least 6 papers in the corpus, at least 3
of them listed before the cut and at least 1 in the later window [cut, last day]. Their
papers before the cut are the simulated library (all "saved"); their papers in the later
window are the targets; the candidates are all papers of the later window. Each ranker
picks 20 candidates; we report recall@20 (targets found / targets) and nDCG@20 (binary
gains), averaged over readers. Readers are split by a hash of the name into a dev half
(hyper-parameters are tuned there) and a held-out half (reported).

Popularity baseline: the Hugging Face upvotes in the shared data cover 2023-2024 and none
of this corpus, so no paper here has an upvote count. The stated fallback is the number
of authors of a paper (how many people are attached to it: the only non-personal signal
of attention the metadata has), ties broken by arXiv id. It is the same list for everyone.

    .venv/bin/python benchmarks/recommend.py [--db sqlite:////tmp/paperboy-bench/paperboy.db]
        [--cut 2026-06-01] [--dev-readers 500] [--test-readers 1500] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

# One BLAS thread: the per-reader solves are small, and threads fight on 2 shared cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.rank.models import (  # noqa: E402
    LinearParams,
    SimilarityParams,
    fit_logistic,
    linear_relevance,
    recency_decay,
    similarity_relevance,
    top_indices,
)
from paperboy.search.embed import DIM  # noqa: E402
from paperboy.search.service import SearchService, model_key  # noqa: E402
from paperboy.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
K = 20
MIN_PAPERS, MIN_LIBRARY, MIN_TARGETS = 6, 3, 1


@dataclass(frozen=True, slots=True)
class Reader:
    name: str
    library: np.ndarray  # row indices into the full matrix
    targets: set[int]  # row indices (all in the later window)


@dataclass(frozen=True, slots=True)
class Corpus:
    ids: list[str]
    matrix: np.ndarray  # (n, 384) float32, L2-normalised
    days: np.ndarray  # ordinal day numbers
    n_authors: np.ndarray


def load_corpus(db_url: str, data_dir: Path) -> tuple[Corpus, dict[str, list[str]]]:
    authors: dict[str, list[str]] = {}
    listed: dict[str, date] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            authors[rec["id"]] = list(rec["authors"])
            listed[rec["id"]] = date.fromisoformat(rec["listing_date"])
    model = model_key("onnx-int8")
    store = Store.open(db_url, migrate=False)
    rows = store.embeddings.load_embeddings(model, DIM)
    if len(rows.arxiv_ids) < len(authors):
        print(
            f"{db_url} holds {len(rows.arxiv_ids)} embeddings of {len(authors)} papers: "
            f"building them in {data_dir} (slow: about 25 minutes on 2 cores)",
            flush=True,
        )
        store.close()
        settings = Settings(data_dir=data_dir, background_indexing=False)
        store = Store.open(settings.resolved_database_url)
        if store.papers.count_papers() < len(authors):
            ingest_jsonl(store, CORPUS)
        SearchService(settings, store).embed_pending(show_progress=True)
        rows = store.embeddings.load_embeddings(model, DIM)
    store.close()
    keep = [i for i, a in enumerate(rows.arxiv_ids) if a in listed]
    ids = [rows.arxiv_ids[i] for i in keep]
    matrix = rows.vectors[keep]
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
    days = np.array([listed[a].toordinal() for a in ids], dtype=np.int64)
    n_authors = np.array([len(authors[a]) for a in ids], dtype=np.float64)
    return Corpus(ids, matrix.astype(np.float32), days, n_authors), authors


def make_readers(corpus: Corpus, authors: dict[str, list[str]], cut: date) -> list[Reader]:
    papers_of: dict[str, list[int]] = defaultdict(list)
    for row, arxiv_id in enumerate(corpus.ids):
        for name in dict.fromkeys(authors[arxiv_id]):
            papers_of[name].append(row)
    cut_day = cut.toordinal()
    readers = []
    for name, rows in papers_of.items():
        if len(rows) < MIN_PAPERS:
            continue
        before = [r for r in rows if corpus.days[r] < cut_day]
        after = {r for r in rows if corpus.days[r] >= cut_day}
        if len(before) >= MIN_LIBRARY and len(after) >= MIN_TARGETS:
            readers.append(Reader(name, np.array(before), after))
    return sorted(readers, key=lambda r: r.name)


def is_dev(name: str) -> bool:
    return hashlib.sha256(name.encode()).digest()[0] % 2 == 0


def metrics(ranked: np.ndarray, targets: set[int]) -> tuple[float, float]:
    hits = [1.0 if int(c) in targets else 0.0 for c in ranked[:K]]
    recall = sum(hits) / len(targets)
    dcg = sum(h / np.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1.0 / np.log2(i + 2) for i in range(min(len(targets), K)))
    return recall, dcg / ideal


# A ranker maps (reader, candidate rows) to candidate-local scores.
Ranker = Callable[[Reader, np.ndarray], np.ndarray]


def evaluate(ranker: Ranker, readers: list[Reader], candidates: np.ndarray) -> dict[str, float]:
    recalls, ndcgs = [], []
    started = time.perf_counter()
    for reader in readers:
        scores = ranker(reader, candidates)
        ranked = candidates[top_indices(scores, K)]
        r, n = metrics(ranked, reader.targets)
        recalls.append(r)
        ndcgs.append(n)
    seconds = time.perf_counter() - started
    return {
        "recall@20": float(np.mean(recalls)),
        "ndcg@20": float(np.mean(ndcgs)),
        "ms_per_reader": 1000 * seconds / max(1, len(readers)),
    }


def popularity_ranker(corpus: Corpus) -> Ranker:
    def rank(reader: Reader, candidates: np.ndarray) -> np.ndarray:
        # Team size, ties by arXiv id (older id first): np.lexsort-free via a tiny tie term.
        order = np.argsort(np.array(corpus.ids, dtype=object)[candidates], kind="stable")
        tie = np.empty(len(candidates))
        tie[order] = np.arange(len(candidates))[::-1] / (10 * len(candidates))
        return np.asarray(corpus.n_authors[candidates] + tie)

    return rank


def similarity_ranker(corpus: Corpus, params: SimilarityParams, half_life: float | None) -> Ranker:
    def rank(reader: Reader, candidates: np.ndarray) -> np.ndarray:
        ages = corpus.days[candidates].max() - corpus.days[candidates]
        relevance = similarity_relevance(
            corpus.matrix[candidates], corpus.matrix[reader.library], None, params
        )
        return np.asarray(relevance * recency_decay(ages, half_life))

    return rank


def linear_ranker(corpus: Corpus, params: LinearParams, half_life: float | None) -> Ranker:
    def rank(reader: Reader, candidates: np.ndarray) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(reader.name.encode()).digest()[:4], "little")
        rng = np.random.default_rng(seed)
        n_neg = min(params.negative_samples, len(candidates))
        sampled = rng.choice(candidates, size=n_neg, replace=False)
        weights = fit_logistic(corpus.matrix[reader.library], corpus.matrix[sampled], params=params)
        ages = corpus.days[candidates].max() - corpus.days[candidates]
        relevance = linear_relevance(corpus.matrix[candidates], weights)
        return np.asarray(relevance * recency_decay(ages, half_life))

    return rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/paperboy-bench/paperboy.db")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-bench-recommend"))
    parser.add_argument("--cut", type=date.fromisoformat, default=date(2026, 6, 1))
    parser.add_argument("--dev-readers", type=int, default=500, help="sampled for tuning")
    parser.add_argument("--test-readers", type=int, default=1500, help="sampled, held out")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    corpus, authors = load_corpus(args.db, args.data_dir)
    candidates = np.flatnonzero(corpus.days >= args.cut.toordinal())
    readers = make_readers(corpus, authors, args.cut)
    rng = np.random.default_rng(7)
    splits: dict[str, list[Reader]] = {}
    for split, wanted, cap in (
        ("dev", True, args.dev_readers),
        ("test", False, args.test_readers),
    ):
        group = [r for r in readers if is_dev(r.name) == wanted]
        if len(group) > cap:
            picked = rng.choice(len(group), size=cap, replace=False)
            group = [group[i] for i in sorted(picked)]
        splits[split] = group
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    log(
        f"corpus {len(corpus.ids)} papers, later window {len(candidates)} candidates "
        f"from {args.cut}; {len(readers)} eligible readers; dev {len(splits['dev'])}, "
        f"test {len(splits['test'])} (loaded in {time.perf_counter() - started:.0f} s)"
    )

    # -- tuning on dev --------------------------------------------------------------
    dev = splits["dev"]
    tuning: list[dict[str, Any]] = []

    def tried(name: str, config: dict[str, Any], ranker: Ranker) -> float:
        result = evaluate(ranker, dev, candidates)
        tuning.append({"ranker": name, **config, **result})
        log(
            f"  dev {name} {config}: nDCG@20 {result['ndcg@20']:.4f} R@20 {result['recall@20']:.4f}"
        )
        return result["ndcg@20"]

    best_sim = max(
        (SimilarityParams(top_k=k) for k in (1, 3, 5, 10, 1000)),
        key=lambda p: tried("similarity", {"top_k": p.top_k}, similarity_ranker(corpus, p, None)),
    )
    best_lin = max(
        (
            LinearParams(l2=l2, negative_samples=n)
            for l2 in (0.03, 0.1, 0.3, 1.0)
            for n in (2000, 5000)
        ),
        key=lambda p: tried(
            "linear",
            {"l2": p.l2, "negatives": p.negative_samples},
            linear_ranker(corpus, p, None),
        ),
    )
    half_lives: list[float | None] = [None, 30.0, 14.0, 7.0, 3.0]
    best_sim_hl = max(
        half_lives,
        key=lambda h: tried(
            "similarity",
            {"top_k": best_sim.top_k, "half_life": h},
            similarity_ranker(corpus, best_sim, h),
        ),
    )
    best_lin_hl = max(
        half_lives,
        key=lambda h: tried(
            "linear",
            {"l2": best_lin.l2, "negatives": best_lin.negative_samples, "half_life": h},
            linear_ranker(corpus, best_lin, h),
        ),
    )

    # -- held-out report ------------------------------------------------------------
    test = splits["test"]
    report = {
        "popularity (team size)": evaluate(popularity_ranker(corpus), test, candidates),
        f"similarity (top_k={best_sim.top_k}, half-life={best_sim_hl})": evaluate(
            similarity_ranker(corpus, best_sim, best_sim_hl), test, candidates
        ),
        f"linear (l2={best_lin.l2}, negatives={best_lin.negative_samples}, "
        f"half-life={best_lin_hl})": evaluate(
            linear_ranker(corpus, replace(best_lin), best_lin_hl), test, candidates
        ),
    }
    summary = {
        "cut": args.cut.isoformat(),
        "candidates": len(candidates),
        "eligible_readers": len(readers),
        "dev_readers": len(dev),
        "test_readers": len(test),
        "mean_library": float(np.mean([len(r.library) for r in test])),
        "mean_targets": float(np.mean([len(r.targets) for r in test])),
        "tuning": tuning,
        "held_out": report,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(
        f"\nheld-out readers: {len(test)} (mean library {summary['mean_library']:.1f}, "
        f"mean targets {summary['mean_targets']:.1f}); {len(candidates)} candidates"
    )
    print("| ranker | recall@20 | nDCG@20 | ms per reader |\n| --- | --- | --- | --- |")
    for name, result in report.items():
        print(
            f"| {name} | {result['recall@20']:.4f} | {result['ndcg@20']:.4f} "
            f"| {result['ms_per_reader']:.1f} |"
        )
    print(f"total {summary['seconds']:.0f} s")


if __name__ == "__main__":
    main()
