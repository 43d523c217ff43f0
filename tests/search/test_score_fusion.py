"""Similar papers' score fusion: cosine plus a weighted BM25 relative to the best."""

from __future__ import annotations

import pytest

from paperboy.search.fusion import score_fusion


def test_cosine_plus_weighted_relative_bm25() -> None:
    cosines = {"a": 0.9, "b": 0.5, "c": 0.6}
    bm25 = [("b", 20.0), ("c", 10.0), ("d", 5.0)]
    fused = dict(score_fusion(cosines, bm25, ["a", "b", "c", "d"], 0.5))
    assert fused == pytest.approx({"a": 0.9, "b": 1.0, "c": 0.85, "d": 0.125})
    # Best first; a paper only BM25 found has no cosine (0), one only kNN found no BM25.
    order = [a for a, _ in score_fusion(cosines, bm25, ["a", "b", "c", "d"], 0.5)]
    assert order == ["b", "a", "c", "d"]


def test_ties_break_by_id_and_candidates_count_once() -> None:
    fused = score_fusion({"x": 0.5, "y": 0.5}, [], ["y", "x", "y"], 0.3)
    assert fused == [("x", 0.5), ("y", 0.5)]


def test_no_bm25_scores_leave_the_cosines() -> None:
    assert score_fusion({"a": 0.2}, [("a", 0.0)], ["a"], 1.0) == [("a", 0.2)]
