"""Run by hand (minutes): "similar papers" quality on a co-author proxy over the
74,728-paper shared corpus.

The proxy: for a paper, the *other* papers that share at least two authors with it and
at least one arXiv category are weak positives (the same group, writing in the same
field, is usually working on a related problem). Neither ranking sees authors: the
embeddings are of title + abstract, and BM25 query-by-example draws its words from the
stored title and abstract only, so the proxy cannot be gamed by matching names. It
leans towards lexical matching a little (a group reuses its own phrasing), which makes
"beat BM25 query-by-example" a fair, not an easy, bar. Copies (same title) are not
positives, and the paper itself is always excluded.

400 query papers with at least one positive are drawn with a fixed seed; even positions
tune the fusion (method, weights, the number of query words), odd positions are the
held-out test half. Prints NDCG@20 (binary gains) for kNN, BM25 QBE (30 to 200 of the
paper's most distinctive words; 200 is about the whole text), the RRF and score fusions
and the shipped `SearchService.similar_ids`, on both halves; the fusion best on tune is
compared with the BM25 query-by-example best on tune.

    .venv/bin/python benchmarks/similar.py --data-dir /work/bench-data/search
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from known_item import CORPUS, open_service  # noqa: E402

from paperboy.search.fusion import reciprocal_rank_fusion, score_fusion  # noqa: E402

QUERIES = 400
SEED = 20
DEPTH = 200  # neighbours taken from each list (SIMILAR_DEPTH)
TERMS = (30, 60, 100, 200)  # words of the paper's text in the BM25 query (SIMILAR_TERMS)


def norm(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def build_proxy(present: set[str], corpus: Path = CORPUS) -> tuple[list[str], dict[str, set[str]]]:
    """Query papers and their positives, among the papers of the data folder."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        papers = [p for p in map(json.loads, fh) if str(p["id"]) in present]
    papers.sort(key=lambda p: str(p["id"]))
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(papers):
        for a in {norm(a) for a in p["authors"]}:
            by_author[a].append(i)
    positives: dict[str, set[str]] = {}
    for i, p in enumerate(papers):
        shared: dict[int, int] = defaultdict(int)
        for a in {norm(a) for a in p["authors"]}:
            if len(by_author[a]) > 200:  # a name this common is not one person
                continue
            for j in by_author[a]:
                if j != i:
                    shared[j] += 1
        cats = set(p["categories"])
        title = " ".join(p["title"].lower().split())
        pos = {
            str(papers[j]["id"])
            for j, n in shared.items()
            if n >= 2
            and cats & set(papers[j]["categories"])
            and " ".join(papers[j]["title"].lower().split()) != title
        }
        if pos:
            positives[str(p["id"])] = pos
    chosen = random.Random(SEED).sample(sorted(positives), QUERIES)
    return chosen, positives


def ndcg20(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, a in enumerate(ranked[:20]) if a in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(20, len(relevant))))
    return dcg / ideal if ideal else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/work/bench-data/search"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    store, service = open_service(args.data_dir)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        every = [str(json.loads(line)["id"]) for line in fh]
    present = set(store.papers.get_papers(every))
    chosen, positives = build_proxy(present)
    knn: dict[str, list[str]] = {}
    qbe: dict[tuple[str, int], list[tuple[str, float]]] = {}
    cosines: dict[str, dict[str, float]] = {}
    shipped: dict[str, list[str]] = {}
    for a in chosen:
        knn[a] = [x for x, _ in service.similar_ids(a, DEPTH, "knn")]
        for terms in TERMS:
            found = service.lexical.more_like_this(a, limit=DEPTH, max_terms=terms)
            qbe[a, terms] = list(zip(found.ids, found.scores, strict=True))
        vector = service.vectors.vector_of(a)
        union = set(knn[a]) | {x for t in TERMS for x, _ in qbe[a, t]}
        cosines[a] = service.vectors.cosines(vector, sorted(union)) if vector is not None else {}
        shipped[a] = [x for x, _ in service.similar_ids(a, 20)]
    store.close()
    halves = {"tune": chosen[0::2], "test": chosen[1::2]}

    def score(run: dict[str, list[str]], half: str) -> float:
        qs = halves[half]
        return round(sum(ndcg20(run[q], positives[q]) for q in qs) / len(qs), 4)

    rows: list[dict[str, Any]] = []

    def add(name: str, run: dict[str, list[str]]) -> None:
        rows.append({"name": name, "tune": score(run, "tune"), "test": score(run, "test")})

    add("knn", knn)
    for terms in TERMS:
        add(f"bm25-qbe terms={terms}", {q: [x for x, _ in qbe[q, terms]] for q in chosen})
    for terms, k, w_bm25 in itertools.product(TERMS, (5, 20, 60), (1.0, 1.5, 2.0)):
        run = {
            q: [
                x
                for x, _ in reciprocal_rank_fusion(
                    [knn[q], [x for x, _ in qbe[q, terms]]], [1.0, w_bm25], k=k
                )
            ]
            for q in chosen
        }
        add(f"rrf terms={terms} k={k} w_bm25={w_bm25}", run)
    for terms, weight in itertools.product(TERMS, (0.1, 0.2, 0.3, 0.5, 0.75, 1.0)):
        run = {
            q: [
                x
                for x, _ in score_fusion(
                    cosines[q], qbe[q, terms], knn[q] + [x for x, _ in qbe[q, terms]], weight
                )
            ]
            for q in chosen
        }
        add(f"score terms={terms} w_bm25={weight}", run)
    add("shipped (SearchService.similar_ids)", shipped)
    fusions = [r for r in rows if r["name"].startswith(("rrf", "score"))]
    best = max(fusions, key=lambda r: r["tune"])
    baseline = max((r for r in rows if r["name"].startswith("bm25")), key=lambda r: r["tune"])
    summary = {
        "queries": len(chosen),
        "mean_positives": round(sum(len(positives[q]) for q in chosen) / len(chosen), 2),
        "rows": rows,
        "chosen_on_tune": best["name"],
        "bm25_baseline": baseline["name"],
        "ratio_to_bm25": {
            h: round(best[h] / baseline[h], 3) if baseline[h] else None for h in ("tune", "test")
        },
    }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"{len(chosen)} query papers, {summary['mean_positives']} positives each on average")
    for r in rows:
        print(f"{r['name']:>36}  tune NDCG@20 {r['tune']:.4f}  test NDCG@20 {r['test']:.4f}")
    print("chosen on the tune half:", best["name"])
    print(
        f"against the best BM25 query by example on tune ({baseline['name']}): "
        f"tune {summary['ratio_to_bm25']['tune']}x, test {summary['ratio_to_bm25']['test']}x"
    )


if __name__ == "__main__":
    main()
