"""The "For you" feed: recent papers ranked for one reader, each with a one-line reason.

Positives are the reader's saved and upvoted papers, negatives their "not interested"
marks. Candidates are the papers announced in the last ``window_days`` days that have an
embedding (papers without one are simply not candidates), minus those the reader already
saved, upvoted or dismissed and those an admin hid. The ranker is chosen by the
``foryou_ranker`` setting; benchmarks/recommend.py compares them (docs/ranking.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.rank.models import (
    LinearParams,
    SimilarityParams,
    closest_positive,
    fit_logistic,
    linear_relevance,
    recency_decay,
    similarity_relevance,
    top_indices,
)
from paperboy.search.service import SearchService
from paperboy.store import Store, StoredPaper
from paperboy.store.recommend import Seed

# A reader with thousands of saved papers is ranked from the newest ones.
MAX_SEEDS = 2000
REASON_TITLE_CHARS = 120


@dataclass(frozen=True, slots=True)
class Recommendation:
    paper: StoredPaper
    score: float
    reason: str  # one line, e.g. 'Because you saved “Attention is all you need”'


def reason_for(seed: Seed, paper: StoredPaper) -> str:
    title = " ".join(paper.title.split())
    if len(title) > REASON_TITLE_CHARS:
        title = title[: REASON_TITLE_CHARS - 1].rstrip() + "…"
    verb = "saved" if seed.kind == "saved" else "upvoted"
    return f"Because you {verb} “{title}”"


def feed_window(store: Store, window_days: int, now: datetime | None = None) -> tuple[date, date]:
    """First and last day of the window: the last ``window_days`` days of announcements,
    ending at the newest announcement day (as the daily feed does) but never after
    ``now``, so an instance that stopped harvesting still shows its latest papers."""
    today = (now or utcnow()).date()
    newest = store.papers.latest_announced()
    end = min(today, newest) if newest else today
    return end - timedelta(days=max(1, window_days) - 1), end


def _stable_seed(user_id: int) -> int:
    """The negative sample is fixed per reader, so the feed does not shuffle on reload."""
    return int.from_bytes(hashlib.sha256(f"foryou:{user_id}".encode()).digest()[:4], "little")


def relevance(
    settings: Settings,
    user_id: int,
    candidates: np.ndarray,
    positives: np.ndarray,
    negatives: np.ndarray,
) -> np.ndarray:
    """Relevance in [0, 1] of each candidate row by the configured ranker."""
    if settings.foryou_ranker == "linear":
        params = LinearParams(
            l2=settings.foryou_linear_l2, negative_samples=settings.foryou_linear_negatives
        )
        rng = np.random.default_rng(_stable_seed(user_id))
        n_sample = min(params.negative_samples, len(candidates))
        sampled = candidates[rng.choice(len(candidates), size=n_sample, replace=False)]
        weights = np.concatenate(
            [np.full(len(negatives), params.disliked_weight), np.ones(n_sample)]
        )
        model = fit_logistic(
            positives,
            np.vstack([negatives, sampled]).astype(np.float32),
            negative_weights=weights,
            params=params,
        )
        return linear_relevance(candidates, model)
    return similarity_relevance(
        candidates,
        positives,
        negatives,
        SimilarityParams(
            top_k=settings.foryou_top_k, negative_weight=settings.foryou_negative_weight
        ),
    )


def recommend_for_reader(
    store: Store,
    search: SearchService,
    user_id: int,
    *,
    limit: int,
    window_days: int,
    now: datetime | None = None,
) -> list[Recommendation]:
    """The reader's best ``limit`` papers of the last ``window_days`` days, best first
    ([] when they have saved and upvoted nothing that has an embedding). The window is
    ``feed_window``; scores decay with age from its last day."""
    settings = search.settings
    every_seed = store.recommend.reader_seeds(user_id)
    seeds = every_seed[:MAX_SEEDS]  # positives: the newest; exclusion below: all of them
    if not seeds or limit <= 0:
        return []
    dismissed = store.recommend.not_interested_ids(user_id)
    seed_papers = store.papers.get_papers_by_ids([s.paper_id for s in seeds])
    disliked_papers = store.papers.get_papers_by_ids(dismissed)
    vectors = search.vectors
    vectors.refresh()

    kept_seeds: list[Seed] = []
    positive_rows: list[np.ndarray] = []
    for seed in seeds:
        paper = seed_papers.get(seed.paper_id)
        vector = vectors.vector_of(paper.arxiv_id) if paper else None
        if vector is not None:
            kept_seeds.append(seed)
            positive_rows.append(vector)
    if not kept_seeds:
        return []
    negative_rows = [
        v for p in disliked_papers.values() if (v := vectors.vector_of(p.arxiv_id)) is not None
    ]

    excluded = (
        {s.paper_id for s in every_seed} | set(dismissed) | store.moderation.hidden_paper_ids()
    )
    start, end = feed_window(store, window_days, now)
    candidate_ids: list[int] = []
    candidate_rows: list[np.ndarray] = []
    ages: list[int] = []
    for recent in store.recommend.recent_papers(start, end):
        if recent.paper_id in excluded:
            continue
        vector = vectors.vector_of(recent.arxiv_id)
        if vector is None:
            continue
        candidate_ids.append(recent.paper_id)
        candidate_rows.append(vector)
        ages.append((end - recent.day).days)
    if not candidate_ids:
        return []

    candidates = np.vstack(candidate_rows).astype(np.float32)
    positives = np.vstack(positive_rows).astype(np.float32)
    negatives = (
        np.vstack(negative_rows).astype(np.float32)
        if negative_rows
        else np.zeros((0, candidates.shape[1]), dtype=np.float32)
    )
    scores = relevance(settings, user_id, candidates, positives, negatives)
    scores = scores * recency_decay(np.array(ages), settings.foryou_half_life_days)
    best = top_indices(scores, limit)
    because = closest_positive(candidates[best], positives)
    chosen = store.papers.get_papers_by_ids(candidate_ids[int(i)] for i in best)
    results = []
    for row, seed_row in zip(best, because, strict=True):
        paper = chosen.get(candidate_ids[int(row)])
        if paper is None or paper.hidden:
            continue  # deleted or hidden since the candidates were read
        seed = kept_seeds[int(seed_row)]
        results.append(
            Recommendation(paper, float(scores[row]), reason_for(seed, seed_papers[seed.paper_id]))
        )
    return results
