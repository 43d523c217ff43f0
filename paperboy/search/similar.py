"""Similar papers: embedding neighbours and BM25 query by example, fused by score.

Split from service.py (which owns the search service and calls these): the similar
papers of a paper page, the API and For-you seeds.
"""

from __future__ import annotations

from typing import Literal

from paperboy.search.fusion import score_fusion
from paperboy.search.lexical import LexicalIndex
from paperboy.search.semantic import VectorIndex
from paperboy.store import StoredPaper

SimilarMethod = Literal["hybrid", "knn", "bm25"]
# cosine + weight x relative BM25 over the union of the embedding kNN and BM25
# query-by-example (the paper's most distinctive words, up to SIMILAR_TERMS), each to
# this depth; chosen on the co-author proxy's tune half (benchmarks/similar.py).
SIMILAR_DEPTH = 200
SIMILAR_TERMS = 200
SIMILAR_BM25_WEIGHT = 0.3
SIMILAR_SLACK = 5  # extra neighbours fetched so hidden papers and copies can be dropped


def similar_ids(
    vectors: VectorIndex,
    lexical: LexicalIndex,
    arxiv_id: str,
    limit: int,
    method: SimilarMethod = "hybrid",
) -> list[tuple[str, float]]:
    """Ranked neighbours of a paper by ``method``: "knn" (embeddings), "bm25" (query
    by example) or "hybrid" (both, fused by score; docs/search.md)."""
    depth = max(limit, SIMILAR_DEPTH)
    knn: list[tuple[str, float]] = []
    qbe: list[tuple[str, float]] = []
    vector = None
    if method in ("knn", "hybrid"):
        vectors.refresh()
        vector = vectors.vector_of(arxiv_id)
        if vector is not None:
            hits = vectors.search(vector, limit=depth, exclude=arxiv_id)
            knn = list(zip(hits.ids, hits.scores, strict=True))
    if method in ("bm25", "hybrid"):
        lexical.refresh()
        found = lexical.more_like_this(arxiv_id, limit=depth, max_terms=SIMILAR_TERMS)
        qbe = list(zip(found.ids, found.scores, strict=True))
    if method == "knn":
        return knn[:limit]
    if method == "bm25" or vector is None:  # not embedded yet: keywords alone
        return qbe[:limit]
    candidates = [a for a, _ in knn] + [a for a, _ in qbe]
    cosines = vectors.cosines(vector, list(dict.fromkeys(candidates)))
    return score_fusion(cosines, qbe, candidates, SIMILAR_BM25_WEIGHT)[:limit]


def without_copies(
    source: StoredPaper | None,
    ranked: list[tuple[str, float]],
    papers: dict[str, StoredPaper],
    limit: int,
) -> list[tuple[StoredPaper, float]]:
    """The ranked papers, hidden ones and copies of ``source`` (same title) left out."""
    own = _title_key(source.title) if source is not None else None
    out = [
        (papers[a], s)
        for a, s in ranked
        if a in papers and not papers[a].hidden and _title_key(papers[a].title) != own
    ]
    return out[:limit]


def _title_key(title: str) -> str:
    return " ".join(title.lower().split())
