"""The two personal rankers, as pure functions over L2-normalised embeddings.

Both turn a reader's positives (saved and upvoted papers) and negatives ("not
interested" marks) into a relevance in [0, 1] for each candidate, so one recency decay
applies to either. They are kept free of storage so the offline benchmark
(benchmarks/recommend.py) measures exactly the code the web feed runs.

- similarity: the mean of the ``top_k`` largest cosine similarities between a candidate
  and the positives (one close saved paper is strong evidence; averaging over the whole
  library would dilute a reader with several interests), minus a penalty for the
  closest "not interested" paper.
- linear: a per-reader L2-regularised logistic regression (as arxiv-sanity-lite trains
  a per-reader SVM), positives against "not interested" papers plus a sample of other
  recent papers, fitted by Newton's method (384 dimensions: a few small solves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FloatArray = np.ndarray


@dataclass(frozen=True, slots=True)
class SimilarityParams:
    top_k: int = 1  # tuned offline (docs/ranking.md): the closest seed alone ranks best
    negative_weight: float = 0.5  # penalty per unit of cosine to the closest "not interested"


@dataclass(frozen=True, slots=True)
class LinearParams:
    l2: float = 0.1  # ridge penalty on the weights (not the bias), tuned offline
    iterations: int = 8  # Newton steps; converges in fewer on these problems
    negative_samples: int = 5000  # other recent papers used as negatives
    disliked_weight: float = 5.0  # a "not interested" mark counts as this many sampled negatives


def similarity_relevance(
    candidates: FloatArray,
    positives: FloatArray,
    negatives: FloatArray | None = None,
    params: SimilarityParams = SimilarityParams(),
) -> FloatArray:
    """Relevance in [0, 1] of each candidate row from cosine similarities."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(positives) == 0:
        return np.zeros(len(candidates), dtype=np.float32)
    sims = candidates @ positives.T
    k = max(1, min(params.top_k, sims.shape[1]))
    top = sims if k == sims.shape[1] else np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    score = top.mean(axis=1)
    if negatives is not None and len(negatives) and params.negative_weight:
        closest_dislike = (candidates @ negatives.T).max(axis=1)
        score = score - params.negative_weight * np.clip(closest_dislike, 0.0, None)
    return np.asarray(np.clip((score + 1.0) / 2.0, 0.0, 1.0), dtype=np.float32)


def _sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def fit_logistic(
    positives: FloatArray,
    negatives: FloatArray,
    *,
    negative_weights: FloatArray | None = None,
    params: LinearParams = LinearParams(),
) -> FloatArray:
    """Weights (last entry: bias) of a class-balanced L2 logistic regression.

    Balanced: the few positives weigh as much in total as the many negatives, else the
    model would learn "nothing is relevant". Newton's method on the exact Hessian.
    """
    n_pos, n_neg = len(positives), len(negatives)
    if n_pos == 0:
        raise ValueError("at least one positive is needed")
    dim = positives.shape[1]
    x = np.hstack(
        [np.vstack([positives, negatives]), np.ones((n_pos + n_neg, 1), dtype=np.float32)]
    ).astype(np.float32)
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    neg_w = np.ones(n_neg) if negative_weights is None else negative_weights.astype(np.float64)
    neg_total = float(neg_w.sum()) or 1.0
    sample_w = np.concatenate([np.full(n_pos, neg_total / n_pos), neg_w])
    sample_w *= (n_pos + n_neg) / sample_w.sum()
    ridge = np.full(dim + 1, params.l2)
    ridge[-1] = 1e-6  # the bias is not penalised (tiny term keeps the Hessian invertible)
    w = np.zeros(dim + 1)
    for _ in range(params.iterations):
        p = _sigmoid((x @ w.astype(np.float32)).astype(np.float64))
        grad = (x.T @ (sample_w * (p - y)).astype(np.float32)).astype(np.float64) + ridge * w
        curvature = (sample_w * p * (1.0 - p)).astype(np.float32)
        hess = (x * curvature[:, None]).T @ x + np.diag(ridge)
        step = np.linalg.solve(hess.astype(np.float64), grad)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return w.astype(np.float32)


def linear_relevance(candidates: FloatArray, weights: FloatArray) -> FloatArray:
    """Relevance in [0, 1]: the fitted model's probability for each candidate row."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.float32)
    logits = candidates @ weights[:-1] + weights[-1]
    return _sigmoid(logits.astype(np.float64)).astype(np.float32)


def recency_decay(age_days: FloatArray, half_life_days: float | None) -> FloatArray:
    """Multiplier halving every ``half_life_days`` of age (1 everywhere when unset/<=0)."""
    ages = np.clip(np.asarray(age_days, dtype=np.float64), 0.0, None)
    if not half_life_days or half_life_days <= 0:
        return np.ones_like(ages, dtype=np.float32)
    return np.power(0.5, ages / half_life_days).astype(np.float32)


def closest_positive(candidates: FloatArray, positives: FloatArray) -> np.ndarray:
    """Row index into ``positives`` of the most similar positive for each candidate:
    the paper an explanation names."""
    if len(candidates) == 0 or len(positives) == 0:
        return np.zeros(len(candidates), dtype=np.int64)
    return np.asarray((candidates @ positives.T).argmax(axis=1), dtype=np.int64)


def top_indices(scores: FloatArray, limit: int) -> np.ndarray:
    """Indices of the ``limit`` highest scores, best first (stable for ties)."""
    if limit <= 0 or len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(limit, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    return np.asarray(part[np.argsort(-scores[part], kind="stable")], dtype=np.int64)
