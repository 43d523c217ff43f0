"""The vector index at scale (issue 14, item 7): level codes with exact rescoring above the
threshold return the exact top 10, filters still apply, the threshold switches the
strategy, and papers stored after the load are found before any rebuild."""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pytest

from paperboy.arxiv import PaperRecord
from paperboy.search import vector_index
from paperboy.search.query import day_number, parse_query
from paperboy.search.semantic import VectorIndex
from paperboy.search.vector_index import BlockRows, VectorBlock
from paperboy.store import Store

DIM = 384
MODEL = "test-vectors"
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG"]
FIRST_DAY = date(2026, 1, 1)


def clustered(n: int, rng: np.random.Generator, clusters: int = 200) -> np.ndarray:
    """Unit vectors around random topic centres, like embeddings of related papers."""
    centres = rng.normal(size=(clusters, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = centres[rng.integers(0, clusters, n)] + rng.normal(0, 0.03, (n, DIM))
    vectors = vectors.astype(np.float16).astype(np.float32)  # stored precision
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def near(vectors: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Queries near the data, as a reader's query is near the papers it is about."""
    picked = vectors[rng.integers(0, len(vectors), n)] + rng.normal(0, 0.03, (n, DIM))
    return (picked / np.linalg.norm(picked, axis=1, keepdims=True)).astype(np.float32)


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, keep: np.ndarray | None) -> set[int]:
    scores = vectors @ query
    if keep is not None:
        scores = np.where(keep, scores, -np.inf)
    return {int(i) for i in np.argsort(-scores, kind="stable")[:k]}


def block_top(block: VectorBlock, query: np.ndarray, k: int, mask: np.ndarray | None) -> set[int]:
    rows, scores, _ = block.scored(query, mask, -1.0)
    return {int(rows[i]) for i in np.argsort(-scores, kind="stable")[:k]}


def recall(
    block: VectorBlock, vectors: np.ndarray, query: np.ndarray, mask: np.ndarray | None
) -> float:
    return len(block_top(block, query, 10, mask) & exact_top(vectors, query, 10, mask)) / 10


@pytest.mark.parametrize("words", [vector_index.FIRST_WORDS, 3, 6])
def test_threaded_scan_gives_the_right_rows_and_distances(words: int) -> None:
    # Enough rows for several threads with a short last slice; checked bit by bit
    # against a plain per-row popcount (the counts add up in bytes three words at a
    # time: widths across that grouping), filtered rows left out; then the level
    # distances and the cut-off that keeps the nearest 1,000 with their ties.
    rng = np.random.default_rng(9)
    n = vector_index.PART_MIN * 2 + 12_345
    first = rng.integers(0, 2**63, (words, n), dtype=np.uint64)
    query = first[:, 7].copy()
    keep = rng.random(n) < 0.7
    expected = np.bitwise_count(first ^ query[:, None]).sum(axis=0)
    cut = int(np.median(expected))
    rows, dist = vector_index.scan(first, query, None, cut)
    assert np.array_equal(rows, np.flatnonzero(expected <= cut)) and 7 in rows
    assert np.array_equal(dist, expected[rows])
    rows, dist = vector_index.scan(first, query, keep, cut)
    assert np.array_equal(rows, np.flatnonzero((expected <= cut) & keep))
    assert np.array_equal(dist, expected[rows])
    levels = rng.integers(0, 2**63, (n, vector_index.CODE_WORDS), dtype=np.uint64)
    whole = np.bitwise_count(levels ^ levels[7]).sum(axis=1)
    assert np.array_equal(vector_index.distances(levels, levels[7], rows), whole[rows])
    near = vector_index.nearest(whole, 1000)
    top = whole[near].max()
    assert len(near) >= 1000 and np.count_nonzero(whole < top) < 1000
    assert np.array_equal(near, np.flatnonzero(whole <= top))


def test_sign_codes_estimate_angles() -> None:
    # SimHash: the share of differing signs after a random rotation is about the angle
    # over pi, so nearer vectors have nearer codes.
    rng = np.random.default_rng(4)
    base = rng.normal(size=DIM).astype(np.float32)
    projection = vector_index.rotation(DIM)
    assert projection.shape == (DIM, vector_index.FIRST_BITS)
    assert np.allclose(projection.T @ projection, np.eye(vector_index.FIRST_BITS), atol=1e-4)
    centre = np.zeros(DIM, np.float32)
    code = vector_index.sign_codes(base[None, :] - centre, projection)[0]
    for angle in (0.2, 0.6, 1.2):
        other = rng.normal(size=DIM).astype(np.float32)
        other -= (other @ base) / (base @ base) * base  # orthogonal to base
        turned = np.cos(angle) * base / np.linalg.norm(base)
        turned += np.sin(angle) * other / np.linalg.norm(other)
        differing = np.bitwise_count(
            vector_index.sign_codes(turned[None, :] - centre, projection)[0] ^ code
        ).sum()
        assert abs(differing / vector_index.FIRST_BITS - angle / np.pi) < 0.1


def test_level_codes_with_rescoring_return_the_exact_top_10_at_20k() -> None:
    rng = np.random.default_rng(5)
    vectors = clustered(20_000, rng)
    days = np.asarray([day_number(FIRST_DAY + timedelta(days=i % 300)) for i in range(20_000)])
    cats = [[CATEGORIES[i % 3]] for i in range(20_000)]
    ids = [f"2601.{i:05d}" for i in range(20_000)]
    block = VectorBlock.build(
        BlockRows(ids, vectors, days.astype(np.int32), cats), threshold=10_000, rescore=2000
    )
    assert block.approximate and block.vectors.dtype == np.float16
    mask = block.mask((day_number(date(2026, 3, 1)), day_number(date(2026, 4, 30))), ["cs.cv"], [])
    assert mask is not None and 0 < mask.sum() < 2000
    for query in near(vectors, 40, rng):
        assert recall(block, vectors, query, None) == 1.0
        # Filters apply before the candidates are taken: the exact filtered top 10.
        assert recall(block, vectors, query, mask) == 1.0
    # Below the threshold the same rows are scored exactly, in float32.
    exact = VectorBlock.build(
        BlockRows(ids, vectors, days.astype(np.int32), cats), threshold=20_001, rescore=2000
    )
    assert not exact.approximate and exact.vectors.dtype == np.float32


def test_filter_masks_are_kept_per_block_and_read_only() -> None:
    n = 3000
    days = np.asarray([day_number(FIRST_DAY + timedelta(days=i % 90)) for i in range(n)])
    cats = [[CATEGORIES[i % 3]] for i in range(n)]
    rows = BlockRows([str(i) for i in range(n)], clustered(n, np.random.default_rng(3)), days, cats)
    block = VectorBlock.build(rows, threshold=1000, rescore=300)
    window = (day_number(date(2026, 2, 1)), day_number(date(2026, 2, 28)))
    first = block.mask(window, ["cs.CV"], [])
    assert first is not None and not first.flags.writeable
    expected = (days >= window[0]) & (days <= window[1]) & (np.arange(n) % 3 == 1)
    assert np.array_equal(first, expected)
    assert block.mask(window, ["CS.cv"], []) is first  # the same filters: kept
    assert block.mask(None, [], []) is None
    # An id filter is applied on top, never kept (it changes with every query).
    narrowed = block.mask(window, ["cs.CV"], [{"1", "31", "2"}])
    assert narrowed is not None and set(np.flatnonzero(narrowed)) == {31}
    assert block.mask(window, ["cs.CV"], []) is first and first.sum() == expected.sum()
    other = block.mask(window, ["cs.CL"], [])
    assert other is not None and not (other & first).any()


def test_count_is_estimated_when_the_floor_is_beyond_the_candidates() -> None:
    rng = np.random.default_rng(6)
    vectors = clustered(12_000, rng, clusters=3)  # three big topics: many pass the floor
    block = VectorBlock.build(
        BlockRows(
            [str(i) for i in range(12_000)],
            vectors,
            np.zeros(12_000, np.int32),
            [[] for _ in range(12_000)],
        ),
        threshold=1000,
        rescore=500,
    )
    query = vectors[0]
    true_count = int(np.count_nonzero(vectors @ query >= 0.5))
    _, _, estimate = block.scored(query, None, 0.5)
    assert true_count > 1000
    assert abs(estimate - true_count) <= 0.1 * true_count


def add_papers(store: Store, first: int, vectors: np.ndarray) -> list[str]:
    """Papers first.. with these stored vectors (categories and days cycle)."""
    records = [
        PaperRecord(
            arxiv_id=f"2601.{first + i:05d}",
            title=f"Synthetic paper {first + i}",
            abstract=f"Abstract {first + i}.",
            categories=[CATEGORIES[(first + i) % 3]],
            announced=FIRST_DAY + timedelta(days=(first + i) % 60),
        )
        for i in range(len(vectors))
    ]
    store.papers.upsert_papers(records)
    by_title = {r.title: v for r, v in zip(records, vectors, strict=True)}
    pending = store.embeddings.papers_to_embed(MODEL, limit=len(records) + 10)
    store.embeddings.save_embeddings(
        MODEL, pending, np.stack([by_title[item.title] for item in pending])
    )
    return [r.arxiv_id for r in records]


@pytest.fixture
def vector_store(store: Store) -> tuple[Store, list[str], np.ndarray]:
    vectors = clustered(1500, np.random.default_rng(7), clusters=40)
    return store, add_papers(store, 0, vectors), vectors


def test_threshold_switches_strategy_and_both_agree(
    vector_store: tuple[Store, list[str], np.ndarray],
) -> None:
    store, ids, vectors = vector_store
    approximate = VectorIndex(store, MODEL, DIM, threshold=1000, rescore=300)
    exact = VectorIndex(store, MODEL, DIM, threshold=1501)
    assert approximate.approximate and not exact.approximate
    assert len(approximate) == len(exact) == 1500
    pq = parse_query("anything cat:cs.CV")
    for row in range(0, 1500, 100):
        query = vectors[row]
        a = approximate.search(query, limit=10, min_score=0.2)
        e = exact.search(query, limit=10, min_score=0.2)
        assert a.ids == e.ids and np.allclose(a.scores, e.scores)
        filtered = approximate.search(query, limit=10, pq=pq)
        assert filtered.ids == exact.search(query, limit=10, pq=pq).ids
        assert all(int(i.split(".")[1]) % 3 == 1 for i in filtered.ids)  # cs.CV
        allowed = set(ids[:50])
        within = approximate.search(query, limit=10, allowed_ids=allowed, exclude=ids[row])
        assert set(within.ids) <= allowed and ids[row] not in within.ids


def test_new_and_changed_papers_are_found_before_a_rebuild(
    vector_store: tuple[Store, list[str], np.ndarray],
) -> None:
    store = vector_store[0]
    index = VectorIndex(store, MODEL, DIM, threshold=1000, rescore=300)
    base = index._snap.base
    rng = np.random.default_rng(8)
    fresh = clustered(3, rng)
    new_ids = add_papers(store, 5000, fresh)
    index.refresh(force=True)
    assert index._snap.base is base  # no rebuild: the new rows sit in the exact tail
    assert len(index) == 1503
    for arxiv_id, vector in zip(new_ids, fresh, strict=True):
        assert index.search(vector, limit=1).ids == [arxiv_id]
        assert index.vector_of(arxiv_id) is not None


def test_a_replaced_vector_hides_the_base_row(
    vector_store: tuple[Store, list[str], np.ndarray],
) -> None:
    store, ids, vectors = vector_store
    index = VectorIndex(store, MODEL, DIM, threshold=1000, rescore=300)
    replacement = clustered(1, np.random.default_rng(9))[0]
    store.papers.upsert_papers(
        [PaperRecord(arxiv_id=ids[3], title="Synthetic paper 3", abstract="A new abstract.")]
    )
    pending = store.embeddings.papers_to_embed(MODEL)
    assert len(pending) == 1
    store.embeddings.save_embeddings(MODEL, pending, replacement[None, :])
    index.refresh(force=True)
    assert len(index) == 1500
    assert index.search(replacement, limit=1).ids == [ids[3]]
    # The old vector is gone: the paper's cosine is the new vector's.
    cosine = index.cosines(vectors[3], [ids[3]])[ids[3]]
    assert np.isclose(cosine, float(replacement @ vectors[3]), atol=1e-3)
    assert ids[3] not in index.search(vectors[3], limit=5).ids
    found = index.vector_of(ids[3])
    assert found is not None and np.allclose(found, replacement, atol=1e-3)


def test_a_full_tail_is_merged_by_a_background_reload(
    vector_store: tuple[Store, list[str], np.ndarray],
) -> None:
    store, _, _ = vector_store
    index = VectorIndex(store, MODEL, DIM, threshold=1000, rescore=300, tail_limit=4)
    base = index._snap.base
    fresh = clustered(4, np.random.default_rng(10))
    new_ids = add_papers(store, 6000, fresh)
    index.refresh(force=True)
    deadline = time.monotonic() + 30
    while index._snap.base is base and time.monotonic() < deadline:
        time.sleep(0.05)
    snap = index._snap
    assert snap.base is not base and len(snap.base) == 1504 and len(snap.tail) == 0
    assert snap.base.approximate
    for arxiv_id, vector in zip(new_ids, fresh, strict=True):
        assert index.search(vector, limit=1).ids == [arxiv_id]


def test_embeddings_are_loaded_in_pages_without_loss(
    vector_store: tuple[Store, list[str], np.ndarray],
) -> None:
    store, ids, vectors = vector_store
    pages = list(store.embeddings.iter_embeddings(MODEL, DIM, page_size=400))
    assert [len(p.arxiv_ids) for p in pages] == [400, 400, 400, 300]
    loaded = [a for p in pages for a in p.arxiv_ids]
    assert loaded == ids  # paper order, each once
    stacked = np.concatenate([p.vectors for p in pages])
    assert stacked.dtype == np.float16 and np.array_equal(stacked, vectors.astype(np.float16))
    assert pages[0].categories[1] == ["cs.CV"] and pages[0].announced[1] == FIRST_DAY + timedelta(1)
