"""The ingest speed work (issue 14, item 7) changed no output: on the first 2,000 papers
of the shared corpus, ``choose_tldr`` and ``fold_name`` give exactly what the versions
before it gave. The reference outputs were written by the old code
(``benchmarks/ingest_equivalence.py --write-fixture``, which imports the files as they
were at the commit before the change)."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

from paperboy.store.author_names import fold_name
from paperboy.tldr import choose_tldr, tokens
from tests.support import FIXTURES, shared_file

REFERENCE = FIXTURES / "ingest-reference.jsonl.gz"


def test_tldrs_and_name_keys_match_the_reference_on_2000_real_papers() -> None:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        expected = [json.loads(line) for line in handle]
    assert len(expected) == 2000
    with gzip.open(shared_file("arxiv-2025-2026.jsonl.gz"), "rt", encoding="utf-8") as handle:
        papers = [json.loads(line) for line in itertools.islice(handle, len(expected))]
    tldr_differences, key_differences = [], []
    for paper, reference in zip(papers, expected, strict=True):
        assert paper["id"] == reference["id"]
        if choose_tldr(paper["title"], paper["abstract"]) != reference["tldr"]:
            tldr_differences.append(paper["id"])
        if [fold_name(name) for name in paper["authors"]] != reference["keys"]:
            key_differences.append(paper["id"])
    assert tldr_differences == [] and key_differences == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("O'Brien-Smith_Jr.", "obrien smith jr"),  # ASCII: the fast path
        ("  J.  R. R.  TOLKIEN ", "j r r tolkien"),
        ("Jean-Pierre Müller", "jean pierre muller"),  # the Unicode path
        ("Łukasz Ø’Neill", "lukasz oneill"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold_name_on_both_paths(name: str, key: str) -> None:
    assert fold_name(name) == key
    assert fold_name(name) == key  # cached: the same answer again


def test_tokens_with_and_without_hyphens() -> None:
    assert tokens("A graph of the Transformers") == ["graph", "transformers"]
    assert tokens("Self-supervised learning in x-ray images") == [
        "self-supervised",
        "self",
        "supervised",
        "learning",
        "x-ray",
        "ray",
        "images",
    ]
