"""Issue 12: the warm-up notice, honest result counts, the reranker's determinism and a
small end-to-end known-item check over the 37 fixture papers."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.query import parse_query
from paperboy.search.rerank import (
    FEATURES,
    FirstStage,
    Reranker,
    candidate_features,
    load_reranker,
    train_pairwise,
)
from paperboy.search.results import round_count as _round_count
from paperboy.search.service import SearchResults, SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import SMALL_PAPERS

# Descriptions of fixture papers as a reader would remember them, not their titles.
KNOWN_ITEMS = {
    "fixing erased symbols when reading stored information": "2606.26434",
    "translating skin colour into layered scattering for realistic renders": "2606.27604",
    "do LLM traders in betting markets all make the same mistakes": "2606.26583",
    "allocations of goods where nobody envies others, on hypergraphs": "2606.26948",
    "tracking the Orion capsule's radio signal from a university": "2606.27531",
    "when does a finite game have an equilibrium without randomising": "2606.26564",
    "DNA storage with insertions and deletions at once": "2606.28802",
    "agents that improve their own prompts, keeping what held-out tasks confirm": "2606.28374",
}


def test_known_items_are_found(search_service: SearchService) -> None:
    """Each description finds its paper in the top 3, in every ranking the page uses."""
    reciprocal = []
    for query, arxiv_id in KNOWN_ITEMS.items():
        pq = parse_query(query)
        for rerank in (False, None):
            ranked = [a for a, _ in search_service.ranked_ids(pq, "hybrid", 10, rerank=rerank)]
            assert arxiv_id in ranked[:3], (query, rerank, ranked[:3])
        ranked = [a for a, _ in search_service.ranked_ids(pq, "hybrid", 10)]
        reciprocal.append(1 / (ranked.index(arxiv_id) + 1))
    assert sum(reciprocal) / len(reciprocal) >= 0.8


def test_shipped_reranker_is_used_and_deterministic(search_service: SearchService) -> None:
    assert search_service.reranker is not None, "paperboy/search/reranker.json is missing"
    pq = parse_query("coding for channels that delete symbols")
    first = search_service.ranked_ids(pq, "hybrid", 20, rerank=True)
    for _ in range(3):
        assert search_service.ranked_ids(pq, "hybrid", 20, rerank=True) == first
    assert len({a for a, _ in first}) == len(first)


def test_reranker_ties_break_by_id_and_training_is_reproducible() -> None:
    stage = FirstStage(
        lexical=[("b", 3.0), ("a", 3.0)],
        semantic=[("c", 0.5)],
        title=[],
        abstract=[("b", 1.0)],
    )
    ids, x = candidate_features(stage, {"a": 0.4, "b": 0.4, "c": 0.5})
    assert ids == ["b", "a", "c"] and x.shape == (3, len(FEATURES))
    flat = Reranker(
        FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), {}
    )
    assert [a for a, _ in flat.rerank(ids, x)] == ["a", "b", "c"]  # all equal: by id

    rng = np.random.default_rng(0)
    groups = [(rng.normal(size=(12, len(FEATURES))), np.arange(12) == i % 12) for i in range(6)]
    one = train_pairwise(groups, l2=0.01, steps=50)
    two = train_pairwise(groups, l2=0.01, steps=50)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a, b)
    model = Reranker(FEATURES, *one, {"l2": 0.01})
    again = Reranker.from_json(model.to_json())
    assert np.allclose(again.scores(groups[0][0]), model.scores(groups[0][0]))
    assert load_reranker() is not None


def test_counts_say_what_they_count() -> None:
    results = SearchResults(parse_query("x"), "hybrid", "relevance", 1, 20, total=200)
    assert results.count_text == "200 results"
    results.matches = 2777
    assert results.count_text == "about 2,800 results; the best 200 are ranked"
    one = SearchResults(parse_query("x"), "lexical", "relevance", 1, 20, total=1)
    assert one.count_text == "1 result"
    assert [_round_count(n) for n in (88, 412, 2777, 31_540)] == [88, 410, 2800, 32_000]


def test_hybrid_count_is_honest(search_service: SearchService) -> None:
    """Hybrid ranks at most its candidates but says how many papers match."""
    pq = parse_query("learning models data")
    lexical = search_service.search(pq, mode="lexical")
    search_service.settings = search_service.settings.model_copy(update={"search_candidates": 10})
    hybrid = search_service.search(pq, mode="hybrid")
    assert hybrid.total == 10 and hybrid.matches is not None
    assert hybrid.matches >= lexical.total > 10
    assert hybrid.count_text.startswith("about ") and "the best 10 are ranked" in hybrid.count_text


def test_warm_up_notice_on_page_and_api(settings: Settings, sqlite_store: Store) -> None:
    assert ingest_jsonl(sqlite_store, SMALL_PAPERS).added == 37
    service = SearchService(settings, sqlite_store)
    service.update(embed=False)
    assert service.embed_pending(limit=10) == 10
    service.vectors.refresh(force=True)
    results = service.search(parse_query("codes for deletion channels"))
    assert results.warming_up == (10, 37)
    assert results.warmup_notice is not None and "10 of 37 papers" in results.warmup_notice
    assert results.hits  # keyword matches still come back
    assert service.search(parse_query("codes"), mode="lexical").warming_up is None

    with TestClient(create_app(settings, sqlite_store, service)) as client:
        page = client.get("/search", params={"q": "codes for deletion channels"})
        assert "Semantic search is warming up: 10 of 37 papers" in page.text
        body = client.get("/api/search", params={"q": "codes for deletion channels"}).json()
        assert body["embedded"] == 10 and body["papers"] == 37
        assert "10 of 37" in body["warmup_notice"]
        assert body["total_text"].endswith(("result", "results", "ranked"))

        service.embed_pending()
        service.vectors.refresh(force=True)
        service._paper_count = (-1e9, 0)  # recount now rather than in 5 s
        done = client.get("/api/search", params={"q": "codes for deletion channels"}).json()
        assert done["warmup_notice"] is None and done["embedded"] is None
        assert "warming up" not in client.get("/search", params={"q": "codes"}).text


def test_query_embeddings_are_cached(search_service: SearchService) -> None:
    first = search_service.embed_query("sparse attention for long documents")
    assert search_service.embed_query("sparse attention for long documents") is first
    assert not first.flags.writeable


def test_similar_papers_fuse_both_engines(search_service: SearchService) -> None:
    knn = [a for a, _ in search_service.similar_ids("2606.28729", 5, "knn")]
    bm25 = [a for a, _ in search_service.similar_ids("2606.28729", 5, "bm25")]
    hybrid = [a for a, _ in search_service.similar_ids("2606.28729", 5)]
    assert knn and bm25 and hybrid
    assert "2606.28729" not in knn + bm25 + hybrid
    assert set(hybrid) <= set(knn) | set(
        a for a, _ in search_service.similar_ids("2606.28729", 100, "bm25")
    ) | set(a for a, _ in search_service.similar_ids("2606.28729", 100, "knn"))


def test_vector_refresh_does_not_rebuild_for_unchanged_rows(search_service: SearchService) -> None:
    """A refresh that re-reads rows (those within its overlap window) must not rebuild
    the whole matrix when they are unchanged."""
    vectors = search_service.vectors
    vectors.refresh(force=True)
    snapshot = vectors._snap
    vectors.refresh(force=True)
    assert vectors._snap is snapshot
