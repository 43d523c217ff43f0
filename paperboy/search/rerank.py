"""Second stage: reorder the first stages' top candidates with a small learned model.

The candidates are the union of the keyword engine's and the embedding engine's top
``DEPTH`` papers. Each gets a handful of features that are cheap to compute from what
the first stages already know (no model is run per candidate):

    lex_rr, sem_rr        1 / (5 + rank) in each engine's list (0 when absent), x6
    lex_top, sem_top      1 / rank in each engine's list (0 when absent): rewards the top
    lex_rel, title_rel,   BM25 over all fields / the title / the abstract, divided by the
    abstract_rel          best score of that query (0 when absent)
    cosine                query-paper cosine (whole text), computed for every candidate
    cosine_gap            cosine minus the best candidate's cosine
    in_both               1 when both engines returned the paper

The model is a linear scorer (pairwise logistic regression, RankNet-style) over the
standardised features, trained by ``benchmarks/train_reranker.py`` on the known-item
tune half and SciFact train; its weights are the small JSON file beside this module.
Scoring is a dot product: deterministic, and about a millisecond for 200 candidates.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger("paperboy.search")
DEPTH = 100
RR_K = 5.0
FEATURES = (
    "lex_rr",
    "sem_rr",
    "lex_top",
    "sem_top",
    "lex_rel",
    "title_rel",
    "abstract_rel",
    "cosine",
    "cosine_gap",
    "in_both",
)
WEIGHTS_FILE = Path(__file__).with_name("reranker.json")

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FirstStage:
    """What the first stages returned for one query: ids best first, with scores."""

    lexical: list[tuple[str, float]]
    semantic: list[tuple[str, float]]
    title: list[tuple[str, float]]
    abstract: list[tuple[str, float]]


def _rr(ranked: list[tuple[str, float]]) -> dict[str, float]:
    return {a: (1 + RR_K) / (RR_K + r) for r, (a, _) in enumerate(ranked, start=1)}


def _top(ranked: list[tuple[str, float]]) -> dict[str, float]:
    return {a: 1.0 / r for r, (a, _) in enumerate(ranked, start=1)}


def _rel(ranked: list[tuple[str, float]]) -> dict[str, float]:
    top = max((s for _, s in ranked), default=0.0)
    return {a: s / top for a, s in ranked} if top > 0 else {}


def candidate_features(stage: FirstStage, cosines: dict[str, float]) -> tuple[list[str], Matrix]:
    """The candidates (first-stage union, in a fixed order) and their feature rows.

    ``cosines`` holds the query's cosine to every candidate that has an embedding."""
    ids = list(dict.fromkeys([a for a, _ in stage.lexical] + [a for a, _ in stage.semantic]))
    lex_rr, sem_rr = _rr(stage.lexical), _rr(stage.semantic)
    lex_top, sem_top = _top(stage.lexical), _top(stage.semantic)
    lex_rel, title_rel, abstract_rel = _rel(stage.lexical), _rel(stage.title), _rel(stage.abstract)
    best = max(cosines.values(), default=0.0)
    x = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    for i, a in enumerate(ids):
        cos = cosines.get(a, 0.0)
        x[i] = (
            lex_rr.get(a, 0.0),
            sem_rr.get(a, 0.0),
            lex_top.get(a, 0.0),
            sem_top.get(a, 0.0),
            lex_rel.get(a, 0.0),
            title_rel.get(a, 0.0),
            abstract_rel.get(a, 0.0),
            cos,
            cos - best if a in cosines else -1.0,
            1.0 if a in lex_rr and a in sem_rr else 0.0,
        )
    return ids, x


@dataclass(frozen=True)
class Reranker:
    """score = ((x - mean) / scale) . weights; higher is better."""

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    meta: dict[str, object]

    def scores(self, x: Matrix) -> npt.NDArray[np.float64]:
        return np.asarray(((x - self.mean) / self.scale) @ self.weights, dtype=np.float64)

    def rerank(self, ids: list[str], x: Matrix) -> list[tuple[str, float]]:
        """Candidates best first; ties broken by id so the order is always the same."""
        if not ids:
            return []
        s = self.scores(x)
        return sorted(
            ((a, float(v)) for a, v in zip(ids, s, strict=True)), key=lambda t: (-t[1], t[0])
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.features),
                "mean": [round(float(v), 8) for v in self.mean],
                "scale": [round(float(v), 8) for v in self.scale],
                "weights": [round(float(v), 8) for v in self.weights],
                "meta": self.meta,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Reranker:
        data = json.loads(text)
        features = tuple(str(f) for f in data["features"])
        if features != FEATURES:
            raise ValueError(f"reranker weights are for features {features}, not {FEATURES}")
        return cls(
            features,
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64),
            dict(data.get("meta") or {}),
        )


def load_reranker(path: Path = WEIGHTS_FILE) -> Reranker | None:
    """The shipped reranker, or None when no weights file exists (hybrid is then RRF)."""
    if not path.is_file():
        return None
    try:
        return Reranker.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError) as exc:  # weights of another version: fall back to RRF
        log.error("reranker weights at %s not used: %s", path, exc)
        return None


def train_pairwise(
    groups: list[tuple[Matrix, npt.NDArray[np.bool_]]],
    *,
    l2: float = 1e-2,
    steps: int = 300,
    lr: float = 0.5,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Pairwise logistic regression: for every query, every (relevant, other) pair of
    its candidates should score relevant > other. Full-batch gradient descent from zero
    weights, so the result depends only on the data. Returns (mean, scale, weights)."""
    stacked = np.vstack([x for x, _ in groups])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    diffs_list = []
    for x, relevant in groups:
        z = (x - mean) / scale
        pos, neg = z[relevant], z[~relevant]
        if len(pos) == 0 or len(neg) == 0:
            continue
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, z.shape[1])
        # Each query weighs the same, however many candidates it has.
        diffs_list.append((d, 1.0 / len(d)))
    diffs = np.vstack([d for d, _ in diffs_list])
    pair_w = np.concatenate([np.full(len(d), w) for d, w in diffs_list])
    pair_w /= pair_w.sum()
    w = np.zeros(stacked.shape[1])
    for _ in range(steps):
        margin = diffs @ w
        # d/dw of sum pair_w * log(1 + exp(-margin)) + l2/2 |w|^2
        sig = 0.5 * (1 - np.tanh(margin / 2))  # = 1 / (1 + exp(margin)), overflow-safe
        grad = -(diffs * (pair_w * sig)[:, None]).sum(axis=0) + l2 * w
        w -= lr * grad
    return mean, scale, w
