"""Search result snippets: an abstract excerpt per paper with the query's words marked
(tantivy's snippet generator over the keyword index), or the abstract's opening."""

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
    searcher = index.index.searcher()
    generator = None
    if ranked is not None:
        generator = tantivy.SnippetGenerator.create(searcher, ranked, index.schema, "abstract")
        generator.set_max_num_chars(SNIPPET_CHARS)
    docs: dict[str, tantivy.Document] = {}
    if generator is not None and papers:
        # One lookup for the page's papers, not one search each.
        wanted = sorted({p.arxiv_id for p in papers})
        query = tantivy.Query.term_set_query(index.schema, "arxiv_id", wanted)
        for _, address in searcher.search(query, len(wanted), count=False).hits:
            doc = searcher.doc(address)
            docs[str(doc["arxiv_id"][0])] = doc
    for paper in papers:
        snippet = None
        if generator is not None and paper.arxiv_id in docs:
            snippet = generator.snippet_from_doc(docs[paper.arxiv_id])
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
