"""arXiv ids read from the keyword index's number column instead of stored documents:
the encoding is exact for modern ids, and old-style ids still come back right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.id_numbers import arxiv_id_of, id_number
from paperboy.search.lexical import LexicalIndex
from paperboy.search.query import parse_query
from paperboy.store import Store
from tests.support import SMALL_PAPERS


@pytest.mark.parametrize("arxiv_id", ["2503.11731", "0704.0001", "0704.00001", "1501.00001"])
def test_modern_ids_round_trip(arxiv_id: str) -> None:
    assert id_number(arxiv_id) > 0
    assert arxiv_id_of(id_number(arxiv_id)) == arxiv_id


def test_four_and_five_digit_numbers_stay_apart() -> None:
    assert id_number("0704.0001") != id_number("0704.00001")


@pytest.mark.parametrize("arxiv_id", ["hep-th/9901001", "math.GT/0309136", "2503.11731v2", ""])
def test_other_ids_have_no_number(arxiv_id: str) -> None:
    assert id_number(arxiv_id) == 0


def test_search_returns_modern_and_old_style_ids(tmp_path: Path) -> None:
    corpus = tmp_path / "papers.jsonl"
    lines = SMALL_PAPERS.read_text(encoding="utf-8").splitlines()
    old = json.loads(lines[0]) | {"id": "hep-th/9901001", "title": "Zebra branes in flux"}
    corpus.write_text("\n".join([*lines, json.dumps(old)]) + "\n", encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path}/p.db")
    try:
        ingest_jsonl(store, corpus)
        index = LexicalIndex(tmp_path / "lexical")
        index.sync(store)
        assert index.search(parse_query("zebra branes")).ids[0] == "hep-th/9901001"
        every = index.search(parse_query("the of and model"), limit=100).ids
        stored = set(store.papers.get_papers(every))
        assert every and set(every) == stored  # each returned id is a real paper's id
        assert len(every) == len(set(every))
    finally:
        store.close()
