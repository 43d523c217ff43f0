"""The tantivy queries of a parsed search: the ranked part (each word over the weighted
fields, acronym plurals, phrases, a proximity bonus) and the filters. Split from
lexical.py, which owns the index itself (schema, sync, searching)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import tantivy

from paperboy.search.query import ParsedQuery, day_number

_VOWEL = re.compile(r"[aeiouy]")


@dataclass(frozen=True, slots=True)
class LexicalParams:
    """BM25 field weights and the proximity bonus, tuned on the known-item tune half and
    SciFact train (benchmarks/known_item.py --tune-lexical; docs/search.md)."""

    title: float = 0.5
    abstract: float = 1.0
    authors: float = 1.0
    proximity: float = 0.1  # weight of a sloppy-phrase match of two adjacent query words
    slop: int = 3


def _forms(term: str) -> list[str]:
    """The term and, for acronyms, its plural or singular: English stemming turns "gans"
    into "gan" but leaves "llms", "cnns" or "vlms" (no vowel) as they are."""
    stem = term.rstrip("s")
    if len(term) < 2 or not stem or _VOWEL.search(stem) or term.isdigit():
        return [term]
    return [term, term[:-1]] if term.endswith("s") and len(term) > 2 else [term, term + "s"]


def text_query(
    index: tantivy.Index,
    p: LexicalParams,
    pq: ParsedQuery,
    fields: tuple[str, ...] | None = None,
) -> tantivy.Query | None:
    """The ranked part: words may match, phrases must. None without text.

    Each word is one clause over the fields (with their BM25 weights); an acronym's
    plural is matched as the same word (the English stemmer keeps "llms" apart from
    "llm"). Adjacent words found close together (a sloppy phrase) add a bonus.
    ``fields`` restricts the query to some fields (the reranker's per-field scores).
    """
    if not pq.has_text:
        return None
    boosts = {
        "title": p.title,
        "abstract": p.abstract,
        "authors": p.authors,
    }
    chosen = [f for f in fields or boosts if boosts.get(f, 0) > 0]
    if not chosen:
        return None
    weights = {f: boosts[f] for f in chosen}
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for term in dict.fromkeys(pq.terms):
        variants = [index.parse_query(v, chosen, field_boosts=weights) for v in _forms(term)]
        query = variants[0] if len(variants) == 1 else tantivy.Query.disjunction_max_query(variants)
        clauses.append((tantivy.Occur.Should, query))
    for phrase in pq.phrases:
        text = '"' + " ".join(phrase) + '"'
        clauses.append((tantivy.Occur.Must, index.parse_query(text, chosen, field_boosts=weights)))
    near = [f for f in chosen if f in ("title", "abstract")]
    if p.proximity > 0 and near and len(pq.terms) > 1:
        for a, b in itertools.pairwise(pq.terms):
            pair = index.parse_query(
                f'"{a} {b}"~{p.slop}', near, field_boosts={f: weights[f] for f in near}
            )
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(pair, p.proximity)))
    return tantivy.Query.boolean_query(clauses)


def filter_query(schema: tantivy.Schema, pq: ParsedQuery) -> list[tantivy.Query]:
    """The filters of ``pq`` (categories, authors, ids, dates): they must all match."""
    must: list[tantivy.Query] = []
    if pq.categories:
        cats = [
            (
                tantivy.Occur.Should,
                tantivy.Query.term_query(schema, "categories", c.lower()),
            )
            for c in pq.categories
        ]
        must.append(tantivy.Query.boolean_query(cats))
    if pq.author_papers is not None:
        # Resolved by the store, as the author pages resolve names (one rule).
        for ids in pq.author_papers:
            must.append(
                tantivy.Query.term_set_query(schema, "arxiv_id", sorted(ids))
                if ids
                else tantivy.Query.empty_query()
            )
    for name in pq.authors if pq.author_papers is None else []:
        if len(name) == 1:
            must.append(tantivy.Query.term_query(schema, "authors", name[0]))
        else:
            must.append(
                tantivy.Query.phrase_query(schema, "authors", list[str | tuple[int, str]](name))
            )
    if pq.within is not None:
        must.append(tantivy.Query.term_set_query(schema, "arxiv_id", sorted(pq.within)))
    if pq.date_from or pq.date_to:
        must.append(
            tantivy.Query.range_query(
                schema,
                "announced",
                tantivy.FieldType.Integer,
                day_number(pq.date_from) or 1,
                day_number(pq.date_to) or 99991231,
            )
        )
    return must
