"""The search box language."""

from __future__ import annotations

from datetime import date

import pytest

from paperboy.errors import InvalidInput
from paperboy.search.query import parse_query


def test_words_phrases_and_filters() -> None:
    pq = parse_query('"Sparse Attention" for long LLMs author:"Yann LeCun" cat:cs.CL year:2025')
    assert pq.phrases == [["sparse", "attention"]]
    assert pq.terms == ["long", "llms"]  # "for" is a stopword
    assert pq.authors == [["yann", "lecun"]]
    assert pq.categories == ["cs.CL"]
    assert (pq.date_from, pq.date_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert pq.text == "Sparse Attention for long LLMs"


def test_dates_and_form_filters_merge() -> None:
    pq = parse_query("x from:2025-03-01 to:2025-04-30", categories=["cs.LG"])
    assert (pq.date_from, pq.date_to) == (date(2025, 3, 1), date(2025, 4, 30))
    assert pq.categories == ["cs.LG"] and pq.has_filters


@pytest.mark.parametrize(
    "raw",
    [
        "2503.11731",
        "2503.11731v2",
        "https://arxiv.org/abs/2503.11731",
        "arxiv.org/pdf/2503.11731v1",
    ],
)
def test_arxiv_ids_and_urls(raw: str) -> None:
    assert parse_query(raw).arxiv_id == "2503.11731"


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ('foo" bar', ["foo", "bar"]),  # unbalanced quote
        ("title:(x AND y) OR NOT z*", ["title", "x", "y", "z"]),  # "not": a stopword
        ("'; DROP TABLE papers; --", ["drop", "table"]),  # "papers": a stopword
        ("x\x00y\x1fz", ["x", "y", "z"]),
        ("the of a", ["the", "of", "a"]),  # only stopwords: still searched
        ("<script>alert(1)</script>", ["script", "alert", "1", "script"]),
    ],
)
def test_anything_else_is_plain_text(raw: str, terms: list[str]) -> None:
    assert parse_query(raw).terms == terms


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("year:abc", "year"),
        ("year:1800", "out of range"),
        ("from:2025-13-01", "from"),
        ("to:yesterday", "to"),
        ("from:2025-05-01 to:2025-04-01", "after"),
        ("cat:'; drop", "not an arXiv category"),
        ("x" * 1001, "longer than"),
    ],
)
def test_bad_filters_are_refused_clearly(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_query(raw)


def test_empty() -> None:
    assert parse_query("   ").is_empty and not parse_query("cat:cs.CL").is_empty
