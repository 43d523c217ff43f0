"""Fusion of ranked lists: reciprocal rank fusion (search), score fusion (similar papers).

RRF (Cormack et al. 2009) needs no score calibration between BM25 and cosine, which
differ in scale per query; its constant k and the list weights are tuned on the
SciFact training queries (benchmarks/scifact.py --tune; docs/search.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[str]], weights: Sequence[float], k: float = 60.0
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum_i w_i / (k + rank_i(d)), rank from 1."""
    scores: dict[str, float] = {}
    for ids, weight in zip(ranked_lists, weights, strict=True):
        for rank, doc in enumerate(ids, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def score_fusion(
    cosines: Mapping[str, float],
    bm25: Sequence[tuple[str, float]],
    candidates: Iterable[str],
    bm25_weight: float,
) -> list[tuple[str, float]]:
    """Fuse by score: cosine + bm25_weight * BM25 / the list's best BM25 (0 where a
    paper lacks one). For similar papers both scores are of the same kind for every
    query (a paper's own text), so scores carry more than ranks: tuned on the co-author
    proxy's tune half it beat every RRF setting (benchmarks/similar.py)."""
    best = max((s for _, s in bm25), default=0.0)
    relative = {a: s / best for a, s in bm25} if best > 0 else {}
    scores = {
        a: cosines.get(a, 0.0) + bm25_weight * relative.get(a, 0.0)
        for a in dict.fromkeys(candidates)
    }
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
