"""The personal rankers on small synthetic vectors: the order they give, that "not
interested" pushes papers down, that recency decays scores, and that the explanation
names the closest seed."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from paperboy.config import Settings
from paperboy.rank.foryou import reason_for, recommend_for_reader
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

DIM = 8
# Fixture papers (tests/fixtures/papers-small.jsonl, announced 2026-06-26..30).
UPVOTED = "2606.27604"  # Spectral Subsurface Scattering from RGB via Biophysical Skin ...
LIKE_UPVOTED = "2606.29387"  # Dipole Diffusion Error ... Grid-Free Subsurface Scattering
SAVED = "2606.26434"  # Deletion-Correcting Codes for the l-Symbol Read Channel
LIKE_SAVED = "2606.28802"  # Salami Slicing Trellis for Synchronization Errors in DNA Coding
HIDDEN = "2606.28729"  # Convertible Codes: MSR-to-MSR Conversion (close to SAVED)
DISMISSED = "2606.27531"  # Doppler Tracking of the Artemis II Mission


def unit(*components: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(components)] = components
    return v / np.linalg.norm(v)


# Two topics (axes 0 and 1) and an unrelated one (axis 2).
TOPIC_A, TOPIC_B, OTHER = unit(1), unit(0, 1), unit(0, 0, 1)
CANDIDATES = np.vstack(
    [
        unit(0.9, 0.1),  # 0: close to A
        unit(0.5, 0.5),  # 1: between A and B
        unit(0.1, 0.9),  # 2: close to B
        unit(0, 0, 1),  # 3: unrelated
    ]
)


def test_similarity_ranks_closest_to_the_library_first() -> None:
    scores = similarity_relevance(CANDIDATES, np.vstack([TOPIC_A]), None, SimilarityParams(1))
    assert list(top_indices(scores, 4)) == [0, 1, 2, 3]
    assert scores.min() >= 0 and scores.max() <= 1


def test_top_k_one_serves_each_interest_of_a_reader_with_two() -> None:
    library = np.vstack([TOPIC_A, TOPIC_A, TOPIC_A, TOPIC_B])
    by_closest = similarity_relevance(CANDIDATES, library, None, SimilarityParams(top_k=1))
    by_mean = similarity_relevance(CANDIDATES, library, None, SimilarityParams(top_k=4))
    # The closest-seed score treats the minority interest (B) like the majority one...
    assert by_closest[2] == pytest.approx(by_closest[0])
    # ...while averaging over the whole library lets the majority drown it.
    assert by_mean[2] < by_mean[0]


def test_not_interested_pushes_similar_candidates_down() -> None:
    library = np.vstack([TOPIC_A, TOPIC_B])
    params = SimilarityParams(top_k=1, negative_weight=1.0)
    before = similarity_relevance(CANDIDATES, library, None, params)
    after = similarity_relevance(CANDIDATES, library, np.vstack([unit(0.1, 0.9)]), params)
    assert before[2] == pytest.approx(before[0])
    assert after[2] < after[0]  # the B-like candidate fell below the A-like one
    assert after[3] == pytest.approx(before[3])  # orthogonal to the dislike: unchanged


def test_linear_model_learns_the_readers_side() -> None:
    rng = np.random.default_rng(0)
    positives = np.vstack([unit(1, 0.1 * i) for i in range(5)])
    negatives = rng.normal(size=(200, DIM)).astype(np.float32)
    negatives[:, 0] = -np.abs(negatives[:, 0])  # the other papers lean away from A
    negatives /= np.linalg.norm(negatives, axis=1, keepdims=True)
    weights = fit_logistic(positives, negatives, params=LinearParams(l2=0.1))
    scores = linear_relevance(CANDIDATES, weights)
    assert int(top_indices(scores, 1)[0]) == 0
    assert scores[0] > 0.5 > scores[3]


def test_linear_model_down_weights_a_dismissed_paper() -> None:
    rng = np.random.default_rng(1)
    positives = np.vstack([TOPIC_A, TOPIC_B])
    sampled = rng.normal(size=(100, DIM)).astype(np.float32)
    sampled /= np.linalg.norm(sampled, axis=1, keepdims=True)
    params = LinearParams(l2=0.1)
    plain = linear_relevance(CANDIDATES, fit_logistic(positives, sampled, params=params))
    disliked = np.vstack([unit(0.1, 0.9), sampled])
    weights = np.concatenate([[params.disliked_weight], np.ones(len(sampled))])
    marked = linear_relevance(
        CANDIDATES, fit_logistic(positives, disliked, negative_weights=weights, params=params)
    )
    assert marked[2] < plain[2]
    assert marked[2] < marked[0]


def test_recency_decay_halves_every_half_life() -> None:
    decay = recency_decay(np.array([0, 7, 14]), 7.0)
    assert decay == pytest.approx([1.0, 0.5, 0.25])
    assert recency_decay(np.array([0, 30]), 0.0) == pytest.approx([1.0, 1.0])
    # Same relevance, different ages: the newer paper wins.
    relevance = np.array([0.8, 0.8], dtype=np.float32)
    assert list(top_indices(relevance * recency_decay(np.array([6, 1]), 3.0), 2)) == [1, 0]


def test_explanation_names_the_closest_seed() -> None:
    positives = np.vstack([TOPIC_A, TOPIC_B, OTHER])
    assert list(closest_positive(CANDIDATES, positives)) == [0, 0, 1, 2]
    paper = StoredPaper(
        id=1,
        arxiv_id="2606.00001",
        version=1,
        title="Graph  neural\nnetworks",
        abstract=None,
        authors=[],
        categories=[],
        primary_category=None,
        submitted=None,
        updated=None,
        announced=None,
        announced_estimated=False,
        comment=None,
        journal_ref=None,
        doi=None,
        license=None,
        links={},
        imported_upvotes=0,
        first_seen=datetime(2026, 6, 1),
        last_changed=datetime(2026, 6, 1),
    )
    at = datetime(2026, 6, 2)
    assert reason_for(Seed(1, "saved", at), paper) == "Because you saved “Graph neural networks”"
    assert reason_for(Seed(1, "upvoted", at), paper).startswith("Because you upvoted “Graph")


def test_empty_inputs_give_empty_scores() -> None:
    assert similarity_relevance(CANDIDATES[:0], np.vstack([TOPIC_A])).shape == (0,)
    assert not similarity_relevance(CANDIDATES, np.zeros((0, DIM), np.float32)).any()
    assert list(top_indices(np.array([0.3, 0.9]), 0)) == []
    with pytest.raises(ValueError):
        fit_logistic(np.zeros((0, DIM), np.float32), np.vstack([TOPIC_A]))


@pytest.mark.parametrize("ranker", ["similarity", "linear"])
def test_recommend_for_reader_with_each_ranker(
    ranker: str, settings: Settings, loaded_store: Store
) -> None:
    """Over the embedded fixture papers: related papers first, each explained by the
    closest seed; seeds, dismissed and hidden papers are never recommended."""
    store = loaded_store
    search = SearchService(settings.model_copy(update={"foryou_ranker": ranker}), store)
    papers = store.papers.get_papers([UPVOTED, SAVED, LIKE_UPVOTED, LIKE_SAVED, HIDDEN, DISMISSED])
    reader = store.accounts.create_user("reader@example.org")
    store.votes.add_vote(reader.id, papers[UPVOTED].id, datetime(2026, 6, 29))
    store.library.save(reader.id, papers[SAVED].id, now=datetime(2026, 6, 29))
    store.recommend.mark_not_interested(reader.id, papers[DISMISSED].id)
    store.moderation.set_paper_hidden(papers[HIDDEN].id, True)
    now = datetime(2026, 7, 1, 8)

    recs = recommend_for_reader(store, search, reader.id, limit=10, window_days=7, now=now)
    shown = {r.paper.arxiv_id: r.reason for r in recs}
    assert len(recs) == 10
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)
    assert not {UPVOTED, SAVED, HIDDEN, DISMISSED} & set(shown)
    assert shown[LIKE_UPVOTED].startswith("Because you upvoted “Spectral Subsurface")
    assert shown[LIKE_SAVED].startswith("Because you saved “Deletion-Correcting Codes")
    assert recs[0].paper.arxiv_id == LIKE_UPVOTED  # its nearest neighbour comes first

    # A one-day window holds only the newest day's papers.
    newest = recommend_for_reader(store, search, reader.id, limit=50, window_days=1, now=now)
    assert newest and {r.paper.announced for r in newest} == {date(2026, 6, 30)}
    # A reader with no seeds gets nothing.
    nobody = store.accounts.create_user("nobody@example.org")
    assert recommend_for_reader(store, search, nobody.id, limit=10, window_days=7, now=now) == []


def test_papers_past_the_seed_cap_are_still_never_recommended_back(
    settings: Settings, loaded_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the newest MAX_SEEDS seeds are positives, but every saved or upvoted paper
    stays out of the recommendations."""
    import paperboy.rank.foryou as foryou

    store = loaded_store
    search = SearchService(settings, store)
    papers = store.papers.get_papers([UPVOTED, SAVED])
    reader = store.accounts.create_user("capped@example.org")
    store.votes.add_vote(reader.id, papers[UPVOTED].id, datetime(2026, 6, 29))
    store.library.save(reader.id, papers[SAVED].id, now=datetime(2026, 6, 29))
    monkeypatch.setattr(foryou, "MAX_SEEDS", 1)  # a reader with more saved papers than that
    now = datetime(2026, 7, 1, 8)
    found = recommend_for_reader(store, search, reader.id, limit=50, window_days=7, now=now)
    assert found, "the saved paper alone still yields recommendations"
    assert {UPVOTED, SAVED}.isdisjoint(r.paper.arxiv_id for r in found)
