"""The keyword ranking's parts: the proximity bonus and where it stops applying, and
searches restricted to a set of papers (the reranker's per-field scores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperboy.ingest.records import make_record
from paperboy.search.lexical import LexicalIndex
from paperboy.search.query import parse_query
from paperboy.store import Store

# Both abstracts hold both words once; only the first has them side by side.
ADJACENT = "2607.00001"
APART = "2607.00002"
FILLER = " ".join(f"word{n}" for n in range(12))


@pytest.fixture
def papers(sqlite_store: Store) -> Store:
    records = [
        make_record(
            ADJACENT, "A study", abstract=f"{FILLER} graph transformers {FILLER}", source="t"
        ),
        make_record(APART, "A study", abstract=f"graph {FILLER} transformers {FILLER}", source="t"),
    ]
    records += [
        make_record(f"2607.{n:05d}", f"Paper {n} on graph theory", abstract="Graphs.", source="t")
        for n in range(3, 30)
    ]
    sqlite_store.papers.upsert_papers(records)
    return sqlite_store


def _index(store: Store, path: Path, proximity_max_docs: int) -> LexicalIndex:
    index = LexicalIndex(path, proximity_max_docs=proximity_max_docs)
    index.sync(store)
    index.refresh(force=True)
    return index


def _scores(index: LexicalIndex, q: str, **kw: object) -> dict[str, float]:
    hits = index.search(parse_query(q), **kw)  # type: ignore[arg-type]
    return dict(zip(hits.ids, hits.scores, strict=True))


def test_the_proximity_bonus_applies_up_to_its_size_limit(papers: Store, tmp_path: Path) -> None:
    small = _index(papers, tmp_path / "a", proximity_max_docs=1000)
    with_bonus = _scores(small, "graph transformers")
    assert with_bonus[ADJACENT] > with_bonus[APART]  # same words, but side by side

    # Above the limit (29 papers > 10) the bonus is left out: the two tie, and each
    # score is the plain BM25 sum, lower than with the bonus.
    large = _index(papers, tmp_path / "b", proximity_max_docs=10)
    plain = _scores(large, "graph transformers")
    assert plain[ADJACENT] == pytest.approx(plain[APART])
    assert plain[ADJACENT] < with_bonus[ADJACENT]
    # Either way the same papers match, so the count is the same.
    assert small.search(parse_query("graph transformers")).total == 29
    assert large.search(parse_query("graph transformers")).total == 29
    # A caller can leave the bonus out below the limit too.
    assert _scores(small, "graph transformers", proximity=False) == pytest.approx(plain)


def test_a_restricted_search_keeps_each_papers_own_score(papers: Store, tmp_path: Path) -> None:
    index = _index(papers, tmp_path / "a", proximity_max_docs=1000)
    everywhere = _scores(index, "graph theory", fields=("title",), proximity=False)
    chosen = [ADJACENT, "2607.00007", "2607.00011", "2607.99999"]  # one unknown id
    within = _scores(index, "graph theory", fields=("title",), within=chosen, proximity=False)
    # Only the chosen papers that match: the two "graph theory" titles, with the scores
    # the unrestricted search gives them (the set itself adds nothing).
    assert set(within) == {"2607.00007", "2607.00011"}
    for arxiv_id, score in within.items():
        assert score == pytest.approx(everywhere[arxiv_id])
    assert index.search(parse_query("graph theory"), within=[]).ids == []
    assert index.search(parse_query("graph theory"), limit=0).ids == []
