"""Search result snippets: an abstract excerpt per paper with the query's words marked
(tantivy's snippet generator, with the keyword index's word statistics, over the
paper's abstract), or the abstract's opening."""

from __future__ import annotations

import tantivy
from markupsafe import Markup, escape

from paperboy.search.lexical import LexicalIndex
from paperboy.search.query import ParsedQuery
from paperboy.store import StoredPaper

SNIPPET_CHARS = 260


def snippets(index: LexicalIndex, pq: ParsedQuery, papers: list[StoredPaper]) -> dict[str, Markup]:
    """An abstract excerpt per paper with the query's words marked; papers that the
    words do not touch get the abstract's opening."""
    out: dict[str, Markup] = {}
    ranked = index.text_query(pq)
    generator = None
    if ranked is not None and papers:
        # The generator reads the words' frequencies from the index; the text comes
        # from the rows the page already holds (the abstract the index was given), not
        # from the index's document store: at 2.7M papers the snippets took 10.6 ms
        # a query with those reads, 2.4 ms without (docs/deploy.md), and are the same.
        generator = tantivy.SnippetGenerator.create(
            index.index.searcher(), ranked, index.schema, "abstract"
        )
        generator.set_max_num_chars(SNIPPET_CHARS)
    for paper in papers:
        snippet = None
        if generator is not None:
            doc = tantivy.Document()
            doc.add_text("abstract", paper.abstract or "")
            snippet = generator.snippet_from_doc(doc)
        if snippet is not None and snippet.highlighted():
            out[paper.arxiv_id] = _marked(snippet)
        else:
            out[paper.arxiv_id] = opening(paper.abstract)
    return out


def _marked(snippet: tantivy.Snippet) -> Markup:
    """Escape the fragment and wrap highlighted ranges (byte offsets) in <mark>."""
    data = snippet.fragment().encode()
    parts: list[str] = []
    pos = 0
    for rng in sorted(snippet.highlighted(), key=lambda r: r.start):
        if rng.start < pos:
            continue
        parts.append(str(escape(data[pos : rng.start].decode(errors="ignore"))))
        parts.append(f"<mark>{escape(data[rng.start : rng.end].decode(errors='ignore'))}</mark>")
        pos = rng.end
    parts.append(str(escape(data[pos:].decode(errors="ignore"))))
    return Markup("…" + "".join(parts).strip() + "…")  # noqa: S704 (parts are escaped)


def opening(text: str | None) -> Markup:
    """The start of an abstract, escaped, cut at a word."""
    text = text or ""
    if len(text) <= SNIPPET_CHARS:
        return escape(text)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut) + Markup("…")
