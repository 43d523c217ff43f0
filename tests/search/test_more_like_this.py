"""Keyword query-by-example (the lexical leg of similar papers), and its fallback when
tantivy's more-like-this panics (it did on the 74,728-paper index once its segments held
deleted documents: "74728 >= 83907"; every paper page's similar papers then failed)."""

from __future__ import annotations

from pathlib import Path

from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.lexical import LexicalIndex
from paperboy.store import Store
from tests.support import SMALL_PAPERS


def test_query_by_example_and_its_fallback(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/p.db")
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        index = LexicalIndex(tmp_path / "lexical")
        index.sync(store)
        paper = "2606.27670"  # time-series models for cryptocurrency prices
        native = index.more_like_this(paper, limit=5)
        assert native.ids and paper not in native.ids
        index._mlt_panicked = True  # as after a panic: the paper's own words are the query
        fallback = index.more_like_this(paper, limit=5)
        assert fallback.ids and paper not in fallback.ids and len(fallback.ids) <= 5
        assert set(fallback.ids) & set(native.ids)  # mostly the same neighbours
        assert index.more_like_this("2699.99999", limit=5).ids == []
    finally:
        store.close()
