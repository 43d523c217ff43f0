"""BibTeX export (escaping, keys, fields) and the tolerant reader, on the shapes of .bib
files that Google Scholar, Zotero, Mendeley, arXiv and paperboy itself write."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from paperboy.library.bibtex import (
    BibItem,
    arxiv_id_of,
    citation_key,
    escape,
    escape_keeping_math,
    export_bibtex,
    parse_bibtex,
    unique_keys,
)
from paperboy.library.ids import ids_from_bibtex, ids_from_text
from paperboy.store import StoredPaper

NOW = datetime(2026, 7, 1)


def paper(arxiv_id: str = "1706.03762", **fields: object) -> StoredPaper:
    values: dict[str, object] = {
        "id": 1,
        "arxiv_id": arxiv_id,
        "version": 7,
        "title": "Attention Is All You Need",
        "abstract": None,
        "authors": ["Ashish Vaswani", "Noam Shazeer"],
        "categories": ["cs.CL", "cs.LG"],
        "primary_category": "cs.CL",
        "submitted": datetime(2017, 6, 12),
        "updated": None,
        "announced": date(2017, 6, 13),
        "announced_estimated": False,
        "comment": None,
        "journal_ref": None,
        "doi": None,
        "license": None,
        "links": {},
        "imported_upvotes": 0,
        "first_seen": NOW,
        "last_changed": NOW,
    }
    values.update(fields)
    return StoredPaper(**values)  # type: ignore[arg-type]


def test_escape_special_characters() -> None:
    assert escape("50% of R&D_costs #1 ~ $5 ^2 {x} \\") == (
        r"50\% of R\&D\_costs \#1 \textasciitilde{} \$5 \textasciicircum{}2 "
        r"\textbraceleft{}x\textbraceright{} \textbackslash{}"
    )
    assert escape("  two\n lines ") == "two lines"


def test_math_is_kept_when_balanced() -> None:
    assert escape_keeping_math(r"Bounds of $O(\sqrt{n})$ for 100% of cases") == (
        r"Bounds of $O(\sqrt{n})$ for 100\% of cases"
    )
    assert escape_keeping_math("costs $5 and $6 more $") == r"costs \$5 and \$6 more \$"
    assert escape_keeping_math("a $}x{$ b") == r"a \$\textbraceright{}x\textbraceleft{}\$ b"


def test_citation_keys() -> None:
    assert citation_key(paper()) == "vaswani2017attention"
    assert citation_key(paper(title="On the Müller–Ñandú model", authors=["José Núñez"])) == (
        "nunez2017muller"
    )
    assert citation_key(paper(authors=["Turing, Alan"], title="The A")) == "turing2017"
    assert citation_key(paper(authors=[], submitted=None, announced=None)) == "anon2017attention"
    same = [paper(), paper("1706.03763"), paper("1706.03764")]
    assert unique_keys(same) == [
        "vaswani2017attention",
        "vaswani2017attentionb",
        "vaswani2017attentionc",
    ]
    many = unique_keys([paper()] * 3000)  # linear: a big library of one author's papers
    assert len(set(many)) == 3000 and many[25:27] == [
        "vaswani2017attentionz",
        "vaswani2017attention27",
    ]


def test_entry_fields_and_kind() -> None:
    text = export_bibtex(
        [
            BibItem(paper(), ["Transformers"], "private"),
            BibItem(
                paper(
                    "2401.00001",
                    title="Graphs & {Braces}",
                    authors=["ATLAS Collaboration and friends", "Smith, Jr., John"],
                    journal_ref="Phys. Rev. D 1 (2024)",
                    doi="10.1103/x_y",
                    primary_category=None,
                ),
            ),
        ]
    )
    first, second = parse_bibtex(text)
    assert first.kind == "misc" and first.key == "vaswani2017attention"
    assert first.fields == {
        "title": "{Attention Is All You Need}",
        "author": "Ashish Vaswani and Noam Shazeer",
        "year": "2017",
        "eprint": "1706.03762",
        "archiveprefix": "arXiv",
        "primaryclass": "cs.CL",
        "url": "https://arxiv.org/abs/1706.03762",
        "keywords": "Transformers",
    }
    assert second.kind == "article"
    assert second.fields["journal"] == "Phys. Rev. D 1 (2024)"
    assert second.fields["doi"] == r"10.1103/x\_y"
    assert second.fields["author"] == "{ATLAS Collaboration and friends} and {Smith, Jr., John}"
    assert second.fields["title"] == r"{Graphs \& \textbraceleft{}Braces\textbraceright{}}"
    assert "primaryclass" not in second.fields
    assert (
        "annote"
        in parse_bibtex(export_bibtex([BibItem(paper(), [], "n")], with_notes=True))[0].fields
    )
    assert ids_from_bibtex(text).ids == ["1706.03762", "2401.00001"]


SCHOLAR = """@article{vaswani2017attention,
  title={Attention is all you need},
  author={Vaswani, Ashish and Shazeer, Noam},
  journal={arXiv preprint arXiv:1706.03762},
  year={2017}
}"""
ZOTERO = """@misc{touvron_llama_2023,
	title = {{LLaMA}: {Open} and {Efficient} {Foundation} {Language} {Models}},
	shorttitle = {{LLaMA}},
	url = {http://arxiv.org/abs/2302.13971},
	doi = {10.48550/arXiv.2302.13971},
	publisher = {arXiv},
	author = {Touvron, Hugo},
	month = feb,
	year = {2023},
	note = {arXiv:2302.13971 [cs]},
}"""
MENDELEY = """@article{Kingma2014,
archivePrefix = {arXiv},
arxivId = {1412.6980},
author = {Kingma, Diederik P. and Ba, Jimmy},
eprint = {1412.6980},
title = {{Adam: A Method for Stochastic Optimization}},
year = {2014}
}"""
ARXIV = """@misc{he2015deep,
      title={Deep Residual Learning for Image Recognition},
      author={Kaiming He},
      year={2015},
      eprint={1512.03385},
      archivePrefix={arXiv},
      primaryClass={cs.CV},
      url={https://arxiv.org/abs/1512.03385},
}"""
OLD_STYLE = """@article(maldacena, author = "J. Maldacena", title = "The {"}large N{"} limit",
  eprint = "hep-th/9711200", archivePrefix = "arXiv")"""
BIBLATEX = "@online{x, eprinttype = {arxiv}, eprint = {2106.09685v2}}"
NOT_ARXIV = "@book{knuth, title = {The {TeX}book}, year = 1984, eprint = {12345}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCHOLAR, "1706.03762"),
        (ZOTERO, "2302.13971"),
        (MENDELEY, "1412.6980"),
        (ARXIV, "1512.03385"),
        (OLD_STYLE, "hep-th/9711200"),
        (BIBLATEX, "2106.09685"),
        (NOT_ARXIV, None),
    ],
)
def test_arxiv_ids_from_the_usual_exporters(text: str, expected: str | None) -> None:
    (entry,) = parse_bibtex(text)
    assert arxiv_id_of(entry) == expected


def test_the_reader_tolerates_junk_and_skips_non_entries() -> None:
    text = (
        "Some preamble text, an email me@example.org\n"
        '@string{ jan = "January" }\n'
        "@comment{ jabref-meta: groupstree: {nested} }\n"
        '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
        f"{SCHOLAR}\n"
        "@misc{broken, title = {unclosed {brace}, eprint = {1234.56789}\n"
        f"{ARXIV}\n"
        "@misc{junk, = novalue, !!!, eprint = {2001.00001}, archivePrefix = arXiv}\n"
        '@misc{concat, title = "A" # jan # {B}, url = "https://arxiv.org/pdf/2002.00002.pdf"}\n'
    )
    entries = parse_bibtex(text)
    assert [e.key for e in entries][:2] == ["vaswani2017attention", "broken"]
    assert "he2015deep" in [e.key for e in entries]
    named = ids_from_bibtex(text)
    assert named.ids == ["1706.03762", "1512.03385", "2001.00001", "2002.00002"]
    assert named.unreadable == ["broken (no arXiv id)"]
    concat = next(e for e in entries if e.key == "concat")
    assert concat.fields["title"] == "AjanB"  # macros are kept by name, not expanded


def test_pasted_ids() -> None:
    named = ids_from_text(
        "1706.03762v5\n arXiv:1512.03385, https://arxiv.org/pdf/2302.13971v1.pdf;"
        " hep-th/9711200 1706.03762 nonsense 1706"
    )
    assert named.ids == ["1706.03762", "1512.03385", "2302.13971", "hep-th/9711200"]
    assert named.unreadable == ["nonsense (not an arXiv id)", "1706 (not an arXiv id)"]
