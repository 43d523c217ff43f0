"""The store's side of topic maps: a period's embedded papers (hidden ones left out, the
rest counted as missing), the signature a fingerprint is made of, and cached maps
(insert, replace). On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import numpy as np

from paperboy.store import Store
from tests.store.test_papers import rec
from tests.store.test_votes import paper_id

MODEL = "test-model"
MONDAY, SUNDAY = date(2026, 6, 22), date(2026, 6, 28)


def embed(store: Store, *arxiv_ids: str) -> None:
    wanted = {paper_id(store, a) for a in arxiv_ids}
    items = [t for t in store.embeddings.papers_to_embed(MODEL, limit=100) if t.paper_id in wanted]
    vectors = np.eye(4, dtype=np.float32)[: len(items)]
    store.embeddings.save_embeddings(MODEL, items, vectors)


def test_period_papers_signature_and_hidden_papers(store: Store) -> None:
    store.papers.upsert_papers(
        [
            rec("2606.00001", title="One", announced=MONDAY),
            rec("2606.00002", title="Two", abstract=None, announced=SUNDAY),
            rec("2606.00003", title="Three", announced=SUNDAY),
            rec("2606.00004", title="Next week", announced=date(2026, 6, 29)),
        ]
    )
    embed(store, "2606.00001", "2606.00002", "2606.00004")
    signature, missing = store.maps.inputs_signature(MODEL, MONDAY, SUNDAY)
    assert len(signature) == 2 and missing == 1  # 2606.00003 has no embedding
    found = store.maps.period_papers(MODEL, 4, MONDAY, SUNDAY)
    assert found.arxiv_ids == ["2606.00001", "2606.00002"]
    assert found.titles == ["One", "Two"] and found.abstracts[1] == ""
    assert found.vectors.shape == (2, 4)
    # An embedding computed again from a changed text changes the signature.
    store.papers.upsert_papers([rec("2606.00001", title="One, revised", announced=MONDAY)])
    embed(store, "2606.00001")
    assert store.maps.inputs_signature(MODEL, MONDAY, SUNDAY)[0] != signature
    # A hidden paper is neither on the map nor missing.
    store.moderation.set_paper_hidden(paper_id(store, "2606.00002"), True)
    store.moderation.set_paper_hidden(paper_id(store, "2606.00003"), True)
    assert store.maps.inputs_signature(MODEL, MONDAY, SUNDAY)[1] == 0
    assert store.maps.period_papers(MODEL, 4, MONDAY, SUNDAY).arxiv_ids == ["2606.00001"]


def test_cached_maps_are_saved_and_replaced(store: Store) -> None:
    assert store.maps.cached_map("2026-W26", MODEL) is None
    payload = {"clusters": [{"id": 0, "label": "a · b"}], "papers": [{"id": "2606.00001"}]}
    store.maps.save_map("2026-W26", MODEL, "f1", payload, 1.5)
    store.maps.save_map("2026-W26", "other-model", "f9", {"papers": []}, 0.1)
    cached = store.maps.cached_map("2026-W26", MODEL)
    assert cached is not None
    assert (cached.fingerprint, cached.papers, cached.payload) == ("f1", 1, payload)
    store.maps.save_map("2026-W26", MODEL, "f2", {"clusters": [], "papers": []}, 2.0)
    replaced = store.maps.cached_map("2026-W26", MODEL)
    assert replaced is not None and (replaced.fingerprint, replaced.papers) == ("f2", 0)
    assert store.maps.map_count() == 2
    store.maps.delete_maps()
    assert store.maps.map_count() == 0
